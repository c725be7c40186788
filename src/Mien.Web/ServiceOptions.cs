namespace Mien.Web;

/// <summary>Settings of the HTTP service (appsettings.json section "Mien", or Mien__ModelPath etc. in the environment).</summary>
public sealed record ServiceOptions
{
    /// <summary>A .mien model file; null = the bundled default model.</summary>
    public string? ModelPath { get; init; }

    /// <summary>Number format of the network (Auto: bf16 where the CPU has native support; Mien__Precision=Float32 turns it off).</summary>
    public Mien.Models.InferencePrecision Precision { get; init; }

    /// <summary>Largest accepted upload.</summary>
    public long MaxUploadBytes { get; init; } = 20 << 20;
}
