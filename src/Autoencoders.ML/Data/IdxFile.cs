using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Autoencoders.ML.Data;

/// <summary>
/// An array read from an IDX file (the format of MNIST and Fashion-MNIST), plain or gzip-compressed (<c>.gz</c>).
/// </summary>
internal sealed class IdxFile
{
    private IdxFile(int[] dimensions, float[] values)
    {
        Dimensions = dimensions;
        Values = values;
    }

    /// <summary>The array's dimensions, outermost (the item count) first, e.g. [60000, 28, 28].</summary>
    public int[] Dimensions { get; }

    /// <summary>All values in row-major order, converted to <see cref="float"/>.</summary>
    public float[] Values { get; }

    /// <summary>Number of items (the first dimension).</summary>
    public int Count => Dimensions[0];

    /// <summary>Values per item (product of the remaining dimensions; 1 for a label file).</summary>
    public int ItemSize => (int)Dimensions.Skip(1).Aggregate(1L, (a, b) => a * b); // checked ≤ int.MaxValue on read

    /// <summary>Reads an IDX file; a name ending in <c>.gz</c> is decompressed on the fly.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="maxItems">Read at most this many items (null = all).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not IDX or is truncated; the message says which.</exception>
    public static IdxFile Read(string path, int? maxItems = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        }

        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return Read(stream, path, maxItems);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("IDX file", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"IDX file '{path}' could not be decompressed: {e.Message}", e);
        }
    }

    private static IdxFile Read(Stream stream, string path, int? maxItems)
    {
        Span<byte> magic = stackalloc byte[4];
        ReadExactly(stream, magic, path, "the header");
        if (magic[0] != 0 || magic[1] != 0 || magic[3] == 0)
        {
            throw new InvalidDataException(
                $"IDX file '{path}' does not start with an IDX magic number (00 00 type rank); got {Convert.ToHexString(magic)}. Is it an IDX file?");
        }

        int elementSize = magic[2] switch
        {
            0x08 or 0x09 => 1,
            0x0B => 2,
            0x0C or 0x0D => 4,
            0x0E => 8,
            _ => throw new InvalidDataException($"IDX file '{path}' has unknown element type 0x{magic[2]:X2}."),
        };

        var dimensions = new int[magic[3]];
        Span<byte> four = stackalloc byte[4];
        for (int i = 0; i < dimensions.Length; i++)
        {
            ReadExactly(stream, four, path, "the dimensions");
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(four);
            if (dimensions[i] < 0)
            {
                throw new InvalidDataException($"IDX file '{path}' has a negative dimension {dimensions[i]}.");
            }
        }

        if (maxItems is int max && max < dimensions[0])
        {
            dimensions[0] = Math.Max(0, max);
        }

        // The header is untrusted: sizes are checked before anything is allocated, and the buffer grows with the bytes
        // that actually arrive, so a damaged header fails as "truncated" instead of allocating what it claims.
        long itemSize = 1;
        foreach (int d in dimensions.Skip(1))
        {
            itemSize = Math.Min(itemSize * d, long.MaxValue / 2 / int.MaxValue);
        }

        long maxValues = Array.MaxLength / Math.Max(elementSize, 4);
        if (itemSize > int.MaxValue || dimensions[0] * itemSize > maxValues)
        {
            throw new InvalidDataException(
                $"IDX file '{path}' declares dimensions {string.Join('×', dimensions)}: {dimensions[0]} items of {(itemSize >= long.MaxValue / 2 / int.MaxValue ? "too many" : itemSize.ToString(System.Globalization.CultureInfo.InvariantCulture))} values, " +
                $"more than one array can hold ({maxValues:N0} values). The header is damaged, or the file is too large: read fewer items (maxItems) or split it.");
        }

        long total = dimensions[0] * itemSize;
        long needed = total * elementSize;
        byte[] raw = new byte[Math.Min(needed, 1 << 24)];
        long received = 0;
        while (received < needed)
        {
            if (received == raw.Length)
            {
                Array.Resize(ref raw, (int)Math.Min(needed, (long)raw.Length * 2));
            }

            int n = stream.Read(raw, (int)received, raw.Length - (int)received);
            if (n == 0)
            {
                throw new InvalidDataException(
                    $"IDX file '{path}' is truncated: it ended after {received} of {needed} bytes of {dimensions[0]} items of {itemSize} values " +
                    $"(dimensions {string.Join('×', dimensions)} in its header).");
            }

            received += n;
        }

        var values = new float[total];
        for (long i = 0; i < total; i++)
        {
            var bytes = raw.AsSpan((int)(i * elementSize), elementSize);
            values[i] = magic[2] switch
            {
                0x08 => bytes[0],
                0x09 => (sbyte)bytes[0],
                0x0B => BinaryPrimitives.ReadInt16BigEndian(bytes),
                0x0C => BinaryPrimitives.ReadInt32BigEndian(bytes),
                0x0D => BinaryPrimitives.ReadSingleBigEndian(bytes),
                _ => (float)BinaryPrimitives.ReadDoubleBigEndian(bytes),
            };
        }

        return new IdxFile(dimensions, values);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = stream.Read(buffer[read..]);
            if (n == 0)
            {
                throw new InvalidDataException(
                    $"IDX file '{path}' is truncated: it ended after {read} of {buffer.Length} bytes of {what}.");
            }

            read += n;
        }
    }
}
