using System;
using System.IO;
using System.Linq;

namespace Autoencoders.ML.Tests;

/// <summary>What this machine's CPU reports, read by the tests on their own (not through the library they check).</summary>
internal static class CpuFeatures
{
    /// <summary>True when Linux's /proc/cpuinfo lists <c>avx512_bf16</c> or <c>amx_bf16</c>: the CPU multiplies bfloat16 natively.</summary>
    public static bool MultipliesBFloat16Natively()
    {
        if (!File.Exists("/proc/cpuinfo"))
        {
            return false;
        }

        var flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal)).Split(' ');
        return flags.Contains("avx512_bf16") || flags.Contains("amx_bf16");
    }
}
