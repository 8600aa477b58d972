using System.Buffers.Binary;
using System.Text;

namespace Autoencoders.ML.Runtime;

/// <summary>
/// Writes the smallest Linux x86-64 shared object (ELF64) that the dynamic loader accepts and that exports C functions
/// <c>int name(void)</c> each returning a constant — built in memory, so the package needs no C compiler and ships no
/// binary. <see cref="MklOnAmd"/> uses it to answer two of MKL's CPU questions before libtorch loads.
/// </summary>
/// <remarks>
/// Layout: one read-and-execute segment (ELF header, four program headers, the code — <c>mov eax, imm32; ret</c> per
/// function — the symbol table, a one-bucket SysV hash table and the string table) and one read-write page holding the
/// dynamic section, which older loaders adjust in place. A <c>PT_GNU_STACK</c> header asks for a non-executable stack.
/// There are no section headers; the loader does not read them.
/// </remarks>
internal static class ConstantFunctionLibrary
{
    private const int HeaderSize = 64, ProgramHeaderSize = 56, ProgramHeaders = 4, SymbolSize = 24, FunctionSize = 8, DynamicEntrySize = 16;
    private const int Page = 0x1000;

    /// <summary>The bytes of a shared object exporting every <c>(name, value)</c> of <paramref name="functions"/>.</summary>
    /// <exception cref="ArgumentException">No functions, or a name that is empty or not a plain C identifier.</exception>
    public static byte[] Build(IReadOnlyList<(string Name, int Value)> functions)
    {
        if (functions is null || functions.Count == 0)
        {
            throw new ArgumentException("Give at least one function to export.", nameof(functions));
        }

        foreach (var (name, _) in functions)
        {
            if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(name[0]))
            {
                throw new ArgumentException($"'{name}' is not a C identifier; a function name must be letters, digits and '_'.", nameof(functions));
            }
        }

        int n = functions.Count;
        int code = HeaderSize + (ProgramHeaderSize * ProgramHeaders);
        int symbols = code + (FunctionSize * n);
        int hash = symbols + (SymbolSize * (n + 1));
        int strings = hash + (4 * (2 + 1 + (n + 1)));
        var names = new List<int>();
        var stringTable = new List<byte> { 0 };
        foreach (var (name, _) in functions)
        {
            names.Add(stringTable.Count);
            stringTable.AddRange(Encoding.ASCII.GetBytes(name));
            stringTable.Add(0);
        }

        int textEnd = strings + stringTable.Count;
        if (textEnd > Page)
        {
            throw new ArgumentException($"{n} functions do not fit the library's first page; export fewer.", nameof(functions));
        }

        const int dynamic = Page;
        var dynamicEntries = new (long Tag, long Value)[]
        {
            (4, hash),                  // DT_HASH
            (5, strings),               // DT_STRTAB
            (6, symbols),               // DT_SYMTAB
            (10, stringTable.Count),    // DT_STRSZ
            (11, SymbolSize),           // DT_SYMENT
            (0, 0),                     // DT_NULL
        };
        int dynamicSize = DynamicEntrySize * dynamicEntries.Length;
        var file = new byte[dynamic + dynamicSize];
        var span = file.AsSpan();

        // ELF header: 64-bit, little-endian, shared object, x86-64.
        "\u007fELF"u8.CopyTo(span);
        file[4] = 2;
        file[5] = 1;
        file[6] = 1;
        U16(span, 16, 3);
        U16(span, 18, 62);
        U32(span, 20, 1);
        U64(span, 32, HeaderSize);
        U16(span, 52, HeaderSize);
        U16(span, 54, ProgramHeaderSize);
        U16(span, 56, ProgramHeaders);
        U16(span, 58, 64);

        const uint read = 4, write = 2, execute = 1;
        ProgramHeader(span, 0, type: 1, read | execute, offset: 0, size: textEnd, align: Page);                  // PT_LOAD
        ProgramHeader(span, 1, type: 1, read | write, offset: dynamic, size: dynamicSize, align: Page);          // PT_LOAD
        ProgramHeader(span, 2, type: 2, read | write, offset: dynamic, size: dynamicSize, align: 8);             // PT_DYNAMIC
        ProgramHeader(span, 3, type: 0x6474e551, read | write, offset: 0, size: 0, align: 16);                   // PT_GNU_STACK

        for (int i = 0; i < n; i++)
        {
            int at = code + (FunctionSize * i);
            file[at] = 0xB8;                                    // mov eax, imm32
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 1)..], functions[i].Value);
            file[at + 5] = 0xC3;                                // ret
            file[at + 6] = file[at + 7] = 0xCC;                 // int3 padding

            int symbol = symbols + (SymbolSize * (i + 1));      // symbol 0 stays the null symbol
            U32(span, symbol, (uint)names[i]);
            file[symbol + 4] = 0x12;                            // STB_GLOBAL, STT_FUNC
            U16(span, symbol + 6, 1);                           // defined here (any index but SHN_UNDEF and SHN_ABS)
            U64(span, symbol + 8, (ulong)at);
            U64(span, symbol + 16, FunctionSize);
        }

        // One bucket: every name hashes to it, and its chain visits symbols 1..n in order.
        U32(span, hash, 1);
        U32(span, hash + 4, (uint)(n + 1));
        U32(span, hash + 8, 1);
        for (int i = 0; i <= n; i++)
        {
            U32(span, hash + 12 + (4 * i), i == 0 || i == n ? 0u : (uint)(i + 1));
        }

        stringTable.ToArray().CopyTo(span[strings..]);
        for (int i = 0; i < dynamicEntries.Length; i++)
        {
            U64(span, dynamic + (DynamicEntrySize * i), (ulong)dynamicEntries[i].Tag);
            U64(span, dynamic + (DynamicEntrySize * i) + 8, (ulong)dynamicEntries[i].Value);
        }

        return file;
    }

    private static void ProgramHeader(Span<byte> file, int index, uint type, uint flags, long offset, long size, long align)
    {
        int at = HeaderSize + (ProgramHeaderSize * index);
        U32(file, at, type);
        U32(file, at + 4, flags);
        U64(file, at + 8, (ulong)offset);       // p_offset
        U64(file, at + 16, (ulong)offset);      // p_vaddr = p_offset
        U64(file, at + 24, (ulong)offset);      // p_paddr
        U64(file, at + 32, (ulong)size);        // p_filesz
        U64(file, at + 40, (ulong)size);        // p_memsz
        U64(file, at + 48, (ulong)align);
    }

    private static void U16(Span<byte> file, int at, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(file[at..], value);

    private static void U32(Span<byte> file, int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(file[at..], value);

    private static void U64(Span<byte> file, int at, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(file[at..], value);
}
