// This one file is compiled twice: into the library (runtime fallback, AUTOENCODERS_ML_LIBRARY defined) and, by
// build/Autoencoders.ML.targets, into an inline MSBuild task that patches libLibTorchSharp.so in the build output.
// Keep it free of dependencies other than the BCL (and MSBuild's Utilities for the task at the bottom).
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Autoencoders.ML.Runtime
{
    /// <summary>
    /// Makes TorchSharp's native shim <c>libLibTorchSharp.so</c> loadable on systems whose libstdc++ predates GCC 13
    /// (Debian 12, Ubuntu 22.04).
    /// </summary>
    /// <remarks>
    /// The shim declares a requirement on <c>GLIBCXX_3.4.32</c> for a single symbol that is never called (no relocation
    /// refers to it). Marking that one version requirement as weak (<c>VER_FLG_WEAK</c> in <c>.gnu.version_r</c>) lets the
    /// dynamic loader accept an older libstdc++. Where the system libstdc++ already provides the version, nothing is
    /// changed. Patching is idempotent: a file whose requirement is already weak is left as it is.
    /// </remarks>
    internal static class LibTorchSharpCompatibility
    {
        /// <summary>The version requirement that older systems cannot satisfy.</summary>
        public const string RequiredVersion = "GLIBCXX_3.4.32";

        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>What <see cref="Apply"/> did to one file.</summary>
        public enum Outcome
        {
            /// <summary>The file had a strong requirement and it was made weak.</summary>
            Patched,
            /// <summary>The requirement was already weak (an earlier run patched it).</summary>
            AlreadyWeak,
            /// <summary>The file does not require the version at all.</summary>
            NotRequired,
            /// <summary>The system libstdc++ provides the version: the file was left untouched.</summary>
            SystemIsNewEnough,
        }

        /// <summary>Returns true when a libstdc++ the loader would use provides <see cref="RequiredVersion"/>.</summary>
        public static bool SystemProvidesRequiredVersion()
        {
            string? library = FindSystemLibStdCxx();
            return library != null && FileContains(library, Encoding.ASCII.GetBytes(RequiredVersion + "\0"));
        }

        /// <summary>Weakens the <see cref="RequiredVersion"/> requirement of <paramref name="path"/> if the system needs it.</summary>
        public static Outcome Apply(string path)
        {
            long? flagsOffset = FindRequirementFlagsOffset(path, RequiredVersion, out ushort flags);
            if (flagsOffset == null)
            {
                return Outcome.NotRequired;
            }

            if ((flags & VerFlgWeak) != 0)
            {
                return Outcome.AlreadyWeak;
            }

            if (SystemProvidesRequiredVersion())
            {
                return Outcome.SystemIsNewEnough;
            }

            using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
            {
                stream.Position = flagsOffset.Value;
                ushort weak = (ushort)(flags | VerFlgWeak);
                stream.WriteByte((byte)(weak & 0xff));
                stream.WriteByte((byte)(weak >> 8));
            }

            return Outcome.Patched;
        }

        /// <summary>
        /// Finds the file offset of the <c>vna_flags</c> field of the <c>Vernaux</c> entry named <paramref name="version"/>
        /// in a 64-bit little-endian ELF file, or null when the file has no such requirement.
        /// </summary>
        public static long? FindRequirementFlagsOffset(string path, string version, out ushort flags)
        {
            flags = 0;
            byte[] elf = File.ReadAllBytes(path);
            // e_ident: magic, ELFCLASS64 (2), ELFDATA2LSB (1).
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F'
                || elf[4] != 2 || elf[5] != 1)
            {
                return null;
            }

            long sectionTable = (long)BitConverter.ToUInt64(elf, 0x28);
            int sectionEntrySize = BitConverter.ToUInt16(elf, 0x3a);
            int sectionCount = BitConverter.ToUInt16(elf, 0x3c);
            for (int i = 0; i < sectionCount; i++)
            {
                long header = sectionTable + ((long)i * sectionEntrySize);
                if (header + 64 > elf.Length || BitConverter.ToUInt32(elf, (int)header + 4) != ShtGnuVerneed)
                {
                    continue;
                }

                long offset = (long)BitConverter.ToUInt64(elf, (int)header + 0x18);
                uint link = BitConverter.ToUInt32(elf, (int)header + 0x28);
                long strings = (long)BitConverter.ToUInt64(elf, (int)(sectionTable + (link * sectionEntrySize) + 0x18));
                return FindInVerneed(elf, offset, strings, version, out flags);
            }

            return null;
        }

        private static long? FindInVerneed(byte[] elf, long verneed, long strings, string version, out ushort flags)
        {
            flags = 0;
            long entry = verneed;
            while (true)
            {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
                int count = BitConverter.ToUInt16(elf, (int)entry + 2);
                long aux = entry + BitConverter.ToUInt32(elf, (int)entry + 8);
                for (int j = 0; j < count; j++)
                {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                    long name = strings + BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadCString(elf, name) == version)
                    {
                        flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        return aux + 4;
                    }

                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }

                uint next = BitConverter.ToUInt32(elf, (int)entry + 12);
                if (next == 0)
                {
                    return null;
                }

                entry += next;
            }
        }

        private static string ReadCString(byte[] data, long start)
        {
            long end = start;
            while (end < data.Length && data[end] != 0)
            {
                end++;
            }

            return Encoding.ASCII.GetString(data, (int)start, (int)(end - start));
        }

        private static string? FindSystemLibStdCxx()
        {
            // A libstdc++ already mapped into this process is the one the loader will bind to.
            try
            {
                foreach (string line in File.ReadLines("/proc/self/maps"))
                {
                    int slash = line.IndexOf('/');
                    if (slash >= 0 && line.IndexOf("libstdc++.so", slash, StringComparison.Ordinal) >= 0)
                    {
                        return line.Substring(slash).Trim();
                    }
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }

            var directories = new List<string>();
            string? ldLibraryPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
            if (!string.IsNullOrEmpty(ldLibraryPath))
            {
                directories.AddRange(ldLibraryPath.Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries));
            }

            directories.AddRange(new[]
            {
                "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            });
            foreach (string directory in directories)
            {
                string candidate = Path.Combine(directory, "libstdc++.so.6");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }

        private static bool FileContains(string path, byte[] needle)
        {
            // The inline MSBuild task compiles against netstandard, so no Span helpers here.
            byte[] haystack = File.ReadAllBytes(path);
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j])
                {
                    j++;
                }

                if (j == needle.Length)
                {
                    return true;
                }
            }

            return false;
        }
    }

#if !AUTOENCODERS_ML_LIBRARY
    /// <summary>MSBuild task: applies <see cref="LibTorchSharpCompatibility"/> to the given files.</summary>
    public sealed class WeakenLibTorchSharpRequirement : Microsoft.Build.Utilities.Task
    {
        /// <summary>The copies of libLibTorchSharp.so in the build or publish output.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <inheritdoc />
        public override bool Execute()
        {
            foreach (var item in Files)
            {
                try
                {
                    var outcome = LibTorchSharpCompatibility.Apply(item.ItemSpec);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"Autoencoders.ML: {item.ItemSpec}: {outcome}");
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    Log.LogWarning($"Autoencoders.ML: could not make {item.ItemSpec} loadable on this system's libstdc++: {e.Message}");
                }
            }

            return true;
        }
    }
#endif
}
