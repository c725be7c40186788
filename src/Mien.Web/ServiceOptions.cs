namespace Mien.Web;

/// <summary>
/// Settings of the HTTP service: appsettings.json section "Mien", Mien__ApiKey etc. in the environment, or the
/// options of <c>mien serve</c>, which override both.
/// </summary>
public sealed record ServiceOptions
{
    /// <summary>A .mien model file; null = the bundled default model.</summary>
    public string? ModelPath { get; init; }

    /// <summary>Number format of the network (Auto: bf16 where the CPU has native support; Mien__Precision=Float32 turns it off).</summary>
    public Mien.Models.InferencePrecision Precision { get; init; }

    /// <summary>Largest request body in bytes (Kestrel's MaxRequestBodySize is set from it, so raising it takes effect).</summary>
    public long MaxUploadBytes { get; init; } = 20 << 20;

    /// <summary>Largest image in pixels (width x height), checked on the header before decoding.</summary>
    public long MaxPixels { get; init; } = 50_000_000;

    /// <summary>Most images in one <c>/v1/predict/batch</c> request.</summary>
    public int MaxBatchImages { get; init; } = 32;

    /// <summary>Requests that run inference at once; null = the number of CPU cores.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>Requests that wait for a free slot; beyond that the service answers 503 with Retry-After.</summary>
    public int QueueLength { get; init; } = 16;

    /// <summary>Longest time a request may take, queueing included (then 504).</summary>
    public double RequestTimeoutSeconds { get; init; } = 30;

    /// <summary>When set, every /v1 request needs this value in the X-Api-Key header.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Origins allowed to call the API from another site's pages (CORS); empty = CORS off.</summary>
    public string[] CorsOrigins { get; init; } = [];
}
