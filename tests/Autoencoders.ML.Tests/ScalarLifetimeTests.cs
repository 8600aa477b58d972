using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using System.Threading;
using Autoencoders.ML.Kinds.Variational;
using Autoencoders.ML.Architecture;
using Autoencoders.ML.Kinds.Mixture;
using Autoencoders.ML.Layers;
using Autoencoders.ML.Runtime;
using TorchSharp;
using Xunit;

namespace Autoencoders.ML.Tests;

/// <summary>
/// The library passes libtorch no number it does not keep alive. TorchSharp turns a number into a <see cref="Scalar"/>
/// that only its finalizer frees, so a collection on another thread during the native call can free it first (a crash,
/// or a wrong number read silently; docs/reliability.md). These tests read the compiled code of both assemblies.
/// </summary>
public sealed class ScalarLifetimeTests
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private static readonly BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void EveryNumberTheLibraryGivesTorchSharpIsKeptAliveThroughTheCall()
    {
        var unowned = UnownedScalarMakers();
        var violations = new List<string>();
        foreach (var method in Methods(typeof(TorchRuntime).Assembly))
        {
            var code = Instructions(method);
            bool disposes = code.Any(i => i.Target is { Name: "Dispose" } target && (target.DeclaringType == typeof(Scalar) || target.DeclaringType == typeof(IDisposable)));
            bool staticConstructor = method is ConstructorInfo { IsStatic: true };
            for (int k = 0; k < code.Count; k++)
            {
                if (code[k].Target is not { } target)
                {
                    continue;
                }

                // A Scalar made from a number must go straight into a local the method disposes (`using Scalar`), or
                // into a static field (a static constructor: rooted for the life of the process).
                if (MakesScalar(target) && !staticConstructor && !(disposes && StoredInLocal(code, k)))
                {
                    violations.Add($"{Name(method)} passes a number as a Scalar it does not keep ({Name(target)})");
                }
                else if (!MakesScalar(target) && unowned.Contains(target))
                {
                    violations.Add($"{Name(method)} calls {Name(target)}, which makes a Scalar it does not keep");
                }
            }
        }

        Assert.True(violations.Count == 0, "Use KeptScalars (Plus, Times, Squared, With, …) or a `using Scalar`:\n" + string.Join("\n", violations.Distinct()));
    }

    // The instruction after k (through unconditional branches) stores into a local.
    private static bool StoredInLocal(List<Instruction> code, int k)
    {
        for (int next = k + 1, hops = 0; next < code.Count && hops < 3; hops++)
        {
            var op = code[next].Code;
            if (op == OpCodes.Br || op == OpCodes.Br_S)
            {
                next = code.FindIndex(i => i.Offset == code[next].BranchTarget);
                continue;
            }

            return op == OpCodes.Stloc || op == OpCodes.Stloc_S || op == OpCodes.Stloc_0 || op == OpCodes.Stloc_1
                || op == OpCodes.Stloc_2 || op == OpCodes.Stloc_3;
        }

        return false;
    }

    // Run by hand (drop Skip, then dotnet test --filter "FullyQualifiedName~ScalarLifetimeTests"): one CI run hung with a
    // thread spinning inside the runtime while this ran beside the other classes' tests, so the suite leaves it out.
    [Fact(Skip = "Stress check run by hand (docs/reliability.md): a collecting thread beside the other tests hung one CI run.")]
    public void TheLibrarysTensorArithmeticGivesTheSameNumbersWhileAnotherThreadCollectsGarbage()
    {
        // The library's per-step arithmetic on small tensors, many times, beside a thread that collects garbage in a
        // loop. Before the library kept its numbers alive this failed in each of two runs ("toFloat at
        // c10/core/Scalar.h:140"); a freed number read as another would show as a different result.
        torch.manual_seed(7);
        var mean = torch.randn(16, 4);
        var logVariance = torch.randn(16, 4) * 0.1;
        var epsilon = torch.randn(16, 4);
        var priorMean = torch.randn(3, 4);
        var priorLogVariance = torch.zeros(3, 4);
        var reference = Step();
        using var stop = new CancellationTokenSource();
        int collections = 0;
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                Interlocked.Increment(ref collections);
            }
        });
        collector.Start();
        try
        {
            for (int i = 0; i < 20_000; i++)
            {
                using var scope = torch.NewDisposeScope();
                var result = Step();
                Assert.True(result.equal(reference).all().ToBoolean(), $"iteration {i}: a different result");
            }
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }

        Assert.True(collections > 100, $"only {collections} collections ran beside the arithmetic");

        torch.Tensor Step()
        {
            var z = VariationalMath.Reparameterize(mean, logVariance, epsilon);
            var kl = VariationalMath.KlToStandardNormal(mean, logVariance);
            var perComponent = MixtureMath.KlPerComponent(mean, logVariance, priorMean, priorLogVariance);
            var activated = Activations.Apply(z, Activation.ELU).Plus(Activations.Apply(z, Activation.LeakyReLU));
            return torch.cat(new[] { kl, VariationalMath.LogStandardNormal(z), perComponent.flatten(), activated.flatten() });
        }
    }

    [Fact]
    public void TheScanFindsTorchSharpsHiddenScalars()
    {
        // The scan must see what it is for: a + b (alpha = 1), square() (exponent 2) and numbers converted implicitly.
        var unowned = UnownedScalarMakers();
        Assert.Contains(typeof(torch.Tensor).GetMethod("op_Addition", new[] { typeof(torch.Tensor), typeof(torch.Tensor) })!, unowned);
        Assert.Contains(typeof(torch.Tensor).GetMethod(nameof(torch.Tensor.square), Type.EmptyTypes)!, unowned);
        Assert.Contains(typeof(torch.Tensor).GetMethod("op_Multiply", new[] { typeof(torch.Tensor), typeof(double) })!, unowned);
        Assert.DoesNotContain(typeof(torch.Tensor).GetMethod(nameof(torch.Tensor.add), new[] { typeof(torch.Tensor), typeof(Scalar) })!, unowned);
        var scanned = Calls(typeof(ScalarLifetimeTests).GetMethod(nameof(Unkept), BindingFlags.NonPublic | BindingFlags.Static)!).ToList();
        Assert.Contains(scanned, MakesScalar);
        Assert.Contains(scanned, unowned.Contains);
    }

    private static torch.Tensor Unkept(torch.Tensor x) => x.mul(2.0) + x;

    /// <summary>TorchSharp's methods that make a Scalar from a number and do not dispose it, and every method that calls one.</summary>
    private static HashSet<MethodBase> UnownedScalarMakers()
    {
        var methods = Methods(typeof(Scalar).Assembly).ToList();
        var calls = methods.ToDictionary(m => m, m => Calls(m).ToList());
        var found = new HashSet<MethodBase>(methods.Where(m =>
            calls[m].Any(MakesScalar) && !calls[m].Any(c => c.DeclaringType == typeof(Scalar) && c.Name == nameof(Scalar.Dispose))));
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var method in methods.Where(m => !found.Contains(m) && calls[m].Any(found.Contains)))
            {
                grew |= found.Add(method);
            }
        }

        return found;
    }

    private static bool MakesScalar(MethodBase method) =>
        (method.DeclaringType == typeof(Scalar) && method.Name == "op_Implicit")
        || (method.DeclaringType?.Name == "ScalarExtensionMethods" && method.Name == "ToScalar");

    private static IEnumerable<MethodBase> Methods(Assembly assembly) => assembly.GetTypes().SelectMany(t =>
        t.GetMethods(Declared).Cast<MethodBase>().Concat(t.GetConstructors(Declared)));

    private static string Name(MethodBase method) =>
        $"{method.DeclaringType?.FullName}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name))})";

    private sealed record Instruction(int Offset, OpCode Code, MethodBase? Target, int BranchTarget);

    /// <summary>The methods <paramref name="method"/>'s IL calls (call, callvirt, newobj, ldftn).</summary>
    private static IEnumerable<MethodBase> Calls(MethodBase method) => Instructions(method).Where(i => i.Target != null).Select(i => i.Target!);

    private static List<Instruction> Instructions(MethodBase method)
    {
        var list = new List<Instruction>();
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il == null)
        {
            return list;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } type ? type.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            int offset = i;
            bool twoBytes = il[i] == 0xFE;
            var code = OpCodesByValue[twoBytes ? (short)(0xFE00 | il[i + 1]) : il[i]];
            i += twoBytes ? 2 : 1;
            int size = code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                _ => 4,
            };
            var target = code.OperandType == OperandType.InlineMethod ? method.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArguments, methodArguments) : null;
            int branch = code.OperandType switch
            {
                OperandType.ShortInlineBrTarget => i + 1 + (sbyte)il[i],
                OperandType.InlineBrTarget => i + 4 + BitConverter.ToInt32(il, i),
                _ => -1,
            };
            list.Add(new Instruction(offset, code, target, branch));
            i += size;
        }

        return list;
    }
}
