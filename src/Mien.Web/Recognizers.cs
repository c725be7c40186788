using System.Collections.Concurrent;
using Mien.Inference;

namespace Mien.Web;

/// <summary>
/// The service's recognizer and its per-request variants (detect, min_face, align, tta), which share its model. A
/// variant has its own face detector, so the few distinct settings in use are kept; past <see cref="MaxKept"/> a
/// variant lives for one request only, so odd query strings cannot grow memory.
/// </summary>
internal sealed class Recognizers(EmotionRecognizer main) : IDisposable
{
    private const int MaxKept = 16;
    private readonly ConcurrentDictionary<RecognizerOptions, Lazy<EmotionRecognizer>> _kept = new();

    public EmotionRecognizer Main => main;

    /// <summary>A lease on the recognizer for these request options; dispose it when the request is done.</summary>
    public Lease For(bool? detect, int? minFace, bool? align, bool? tta)
    {
        var o = main.Options;
        bool d = detect ?? o.DetectFaces;
        var wanted = o with
        {
            DetectFaces = d, AlignEyes = d && (align ?? o.AlignEyes), FlipAverage = tta ?? o.FlipAverage,
            Detector = o.Detector with { MinFaceSize = d ? minFace ?? o.Detector.MinFaceSize : o.Detector.MinFaceSize },
        };
        if (wanted == o) return new Lease(main, owned: false);
        if (_kept.TryGetValue(wanted, out var kept)) return new Lease(kept.Value, owned: false);
        if (_kept.Count >= MaxKept) return new Lease(main.WithOptions(wanted), owned: true);
        return new Lease(_kept.GetOrAdd(wanted, w => new Lazy<EmotionRecognizer>(() => main.WithOptions(w))).Value, owned: false);
    }

    public void Dispose()
    {
        foreach (var v in _kept.Values) if (v.IsValueCreated) v.Value.Dispose();
        main.Dispose(); // last: the variants share its model
    }

    public readonly struct Lease(EmotionRecognizer recognizer, bool owned) : IDisposable
    {
        public EmotionRecognizer Recognizer => recognizer;
        public void Dispose() { if (owned) recognizer.Dispose(); }
    }
}
