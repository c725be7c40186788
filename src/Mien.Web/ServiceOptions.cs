namespace Mien.Web;

/// <summary>Settings of the HTTP service (appsettings.json section "Mien", or Mien__ModelPath etc. in the environment).</summary>
public sealed record ServiceOptions
{
    /// <summary>A .mien model file; null = the bundled default model.</summary>
    public string? ModelPath { get; init; }

    /// <summary>Largest accepted upload.</summary>
    public long MaxUploadBytes { get; init; } = 20 << 20;
}
