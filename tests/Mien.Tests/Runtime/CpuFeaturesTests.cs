using Mien.Runtime;
using Xunit;

namespace Mien.Tests.Runtime;

public class CpuFeaturesTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("DEFAULT", true)]
    [InlineData("avx512_core_bf16", true)]
    [InlineData("AVX512_CORE_FP16", true)]
    [InlineData("AVX512_CORE_AMX", true)]
    [InlineData("AVX10_1_512", true)]
    [InlineData("AVX2", false)]
    [InlineData("avx2_vnni", false)]
    [InlineData("AVX512_CORE", false)]
    [InlineData("AVX512_CORE_VNNI", false)]
    [InlineData("SSE41", false)]
    public void A_oneDNN_cap_below_bf16_means_no_native_bf16(string? cap, bool allowed) =>
        Assert.Equal(allowed, CpuFeatures.IsaCapAllowsBFloat16(cap));
}
