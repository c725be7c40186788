using Mien.Runtime;
using TorchSharp;
using Xunit;

namespace Mien.Tests.Runtime;

public class NativeThreadingTests
{
    private static readonly Func<string, string?> EmptyEnvironment = _ => null;

    [Fact]
    public void Sets_the_spin_count_when_nothing_else_decided()
    {
        var calls = new List<(string, string, int)>();
        var result = NativeThreading.Apply(2000, EmptyEnvironment, openMpLoaded: false, (n, v, o) => { calls.Add((n, v, o)); return 0; });
        Assert.Equal(NativeThreadingResult.Applied, result);
        Assert.Equal([("GOMP_SPINCOUNT", "2000", 0)], calls); // overwrite 0: never replaces a value set natively
    }

    [Theory]
    [InlineData("GOMP_SPINCOUNT")]
    [InlineData("OMP_WAIT_POLICY")]
    public void Leaves_a_users_own_setting_alone(string variable)
    {
        bool called = false;
        var result = NativeThreading.Apply(2000, n => n == variable ? "PASSIVE" : null, openMpLoaded: false, (_, _, _) => { called = true; return 0; });
        Assert.Equal(NativeThreadingResult.UserSetting, result);
        Assert.False(called);
    }

    [Fact]
    public void Says_too_late_once_OpenMP_is_loaded_and_sets_nothing()
    {
        bool called = false;
        Assert.Equal(NativeThreadingResult.TooLate, NativeThreading.Apply(2000, EmptyEnvironment, openMpLoaded: true, (_, _, _) => { called = true; return 0; }));
        Assert.False(called);
        Assert.Equal(NativeThreadingResult.Failed, NativeThreading.Apply(2000, EmptyEnvironment, openMpLoaded: false, (_, _, _) => -1));
    }

    [Fact]
    public void Sees_LibTorchs_OpenMP_in_this_process_once_torch_has_run()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var t = torch.ones(2, 2).matmul(torch.ones(2, 2)); // loads LibTorch, and with it libgomp
        Assert.True(NativeThreading.OpenMpLoaded());
        // .NET's Environment is its own copy on Unix; NativeVariable reads the C library's, which libgomp reads.
        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), NativeThreading.NativeVariable("PATH"));
        Assert.Null(NativeThreading.NativeVariable("MIEN_SURELY_UNSET_VARIABLE"));
    }
}
