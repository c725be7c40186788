using Mien.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mien.Models.Onnx;

/// <summary>
/// CNNs imported from ONNX files as trainable backbones (layer type <c>onnx</c>, first in a spec): any graph of the
/// operators in <see cref="SupportedOperators"/> (<c>--model file.onnx</c>), and by name <c>resnet18-cntk</c>, the
/// ImageNet ResNet-18 that ML.NET ships in the NuGet package <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> (a CNTK
/// export, not torchvision's resnet18: 22 convolutions, asymmetric stride-2 padding). Its weights load with
/// <c>--weights imagenet</c>, read from the package in the NuGet cache (restored with Mien, no download at run time).
/// </summary>
public static class OnnxBackbones
{
    /// <summary>The ML.NET / CNTK ImageNet ResNet-18.</summary>
    public const string CntkResNet18 = "resnet18-cntk";

    /// <summary>The <c>--weights</c> value that loads a named ONNX backbone's own ImageNet weights.</summary>
    public const string ImageNetWeights = "imagenet";

    /// <summary>Environment variable naming ResNet18.onnx when it is not in the NuGet cache.</summary>
    public const string ResNet18PathVariable = "MIEN_RESNET18_ONNX";

    private const string PackageId = "microsoft.ml.dnnimagefeaturizer.resnet18";
    private const string PackageVersion = "0.23.1";

    /// <summary>The named ONNX backbones.</summary>
    public static IReadOnlyCollection<string> Names { get; } = [CntkResNet18];

    /// <summary>The operators an imported graph may use.</summary>
    public static IReadOnlyCollection<string> SupportedOperators => [.. OnnxFile.SupportedOps.Order(StringComparer.Ordinal)];

    /// <summary>Whether a spec starts with an imported ONNX graph.</summary>
    public static bool IsOnnx(ModelSpec spec) => spec.Layers.Count > 0 && string.Equals(spec.Layers[0].Type.Trim(), "onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>Where ResNet18.onnx of the ML.NET package is (the variable, the app folder, the NuGet cache), or null.</summary>
    public static string? FindCntkResNet18()
    {
        if (Environment.GetEnvironmentVariable(ResNet18PathVariable) is { Length: > 0 } env) return env;
        foreach (var root in PackageRoots())
        {
            var path = Path.Combine(root, "ResNet18Onnx", "ResNet18.onnx");
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static IEnumerable<string> PackageRoots()
    {
        // ML.NET's own build copies the models next to the app; Mien only restores the package.
        yield return Path.Combine(AppContext.BaseDirectory, "DnnImageModels");
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        yield return Path.Combine(cache, PackageId, PackageVersion, "tools", "DnnImageModels");
    }

    private static string RequireCntkResNet18() => FindCntkResNet18() ?? throw new MienException(
        $"{CntkResNet18} needs ResNet18.onnx from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 {PackageVersion}, which Mien's build restores " +
        $"into the NuGet cache; it was not found there ({string.Join(", ", PackageRoots())}). Run ./setup.sh (or dotnet restore), or set {ResNet18PathVariable} to the file.");

    /// <summary>The spec of a named ONNX backbone or of an .onnx file: the graph, global average pooling, then the builder's classifier.</summary>
    public static ModelSpec Spec(string nameOrPath, int inputSize = 64)
    {
        bool named = string.Equals(nameOrPath, CntkResNet18, StringComparison.OrdinalIgnoreCase);
        string path = named ? RequireCntkResNet18() : nameOrPath;
        var graph = OnnxFile.ReadGraph(path);
        if (named) graph = graph with { Mean = CntkMean(path), Std = 1f / 255 };
        string name = named ? CntkResNet18 : Path.GetFileNameWithoutExtension(path);
        return new ModelSpec
        {
            Name = name,
            Description = named
                ? "ResNet-18 from ML.NET's ImageNet featurizer (CNTK export, imported from ONNX); ImageNet weights via --weights imagenet."
                : $"CNN imported from {Path.GetFileName(path)} ({graph.Nodes.Count} ONNX nodes); its weights via --weights {Path.GetFileName(path)}.",
            InputSize = inputSize,
            Layers = [new() { Type = "onnx", Name = name, Graph = graph }, new() { Type = "global_avg_pool" }],
        };
    }

    /// <summary>
    /// CNTK's network takes BGR pixels 0..255 minus a per-pixel ImageNet mean image (ML.NET's ResNetPreprocess.onnx).
    /// Grey faces of any size get its average instead: x = p - mean, i.e. Mien's (p/255 - m)/s with m = mean/255, s = 1/255.
    /// </summary>
    private static float CntkMean(string resnetPath)
    {
        var prep = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(resnetPath)!)!, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
        if (!File.Exists(prep)) return 114.8f / 255; // the mean image's average, measured on the 0.23.1 package
        var inits = OnnxFile.ReadInitializers(OnnxFile.Parse(prep), prep);
        var mean = inits.Values.OrderByDescending(v => v.Values.Length).First().Values;
        return (float)(mean.Average(v => (double)v) / 255);
    }

    /// <summary>The trunk for an <c>onnx</c> layer: grey repeated into RGB when the graph wants three channels, then the graph.</summary>
    internal static Sequential CreateTrunk(OnnxGraphSpec graph, string origin)
    {
        var module = new OnnxGraphModule(graph, origin);
        return graph.InputChannels == 3
            ? nn.Sequential(("grey_to_rgb", (nn.Module<Tensor, Tensor>)new GreyToRgb()), ("graph", module))
            : nn.Sequential(("graph", (nn.Module<Tensor, Tensor>)module));
    }

    /// <summary>
    /// Loads an ONNX file's initializers into the imported graph of <paramref name="network"/> (built from
    /// <paramref name="spec"/>), matched by ONNX name and shape; <c>imagenet</c> means the named backbone's own file.
    /// A file that does not fit lists every missing and mis-shaped tensor.
    /// </summary>
    public static PretrainedWeightsResult LoadWeights(nn.Module network, ModelSpec spec, string path)
    {
        if (!IsOnnx(spec)) throw new MienException($"'{spec.Name}' has no imported ONNX graph to load '{path}' into.");
        if (string.Equals(path, ImageNetWeights, StringComparison.OrdinalIgnoreCase))
            path = string.Equals(spec.Layers[0].Name, CntkResNet18, StringComparison.OrdinalIgnoreCase) ? RequireCntkResNet18()
                : throw new MienException($"--weights {ImageNetWeights} is known for {CntkResNet18}; for '{spec.Name}' give the .onnx file its graph came from.");
        var graph = network.modules().OfType<OnnxGraphModule>().FirstOrDefault()
                    ?? throw new ArgumentException("The network has no imported ONNX graph; build it from the spec with ModelBuilder.", nameof(network));
        var file = OnnxFile.ReadInitializers(OnnxFile.Parse(path), path);
        var missing = new List<string>();
        var misShaped = new List<string>();
        foreach (var (name, target, transpose) in graph.Weights)
        {
            if (!file.TryGetValue(name, out var w)) { missing.Add(name); continue; }
            var shape = transpose ? w.Dims.Reverse().ToArray() : w.Dims;
            // CNTK writes batch-norm vectors as [C] and biases as [C] or [C,1,1]: compare element counts for 1-D targets.
            bool fits = target.dim() == 1 ? w.Values.Length == target.numel() : shape.SequenceEqual(target.shape);
            if (!fits) misShaped.Add($"{name} (file {string.Join("x", w.Dims)}, network {string.Join("x", target.shape)})");
        }
        if (missing.Count + misShaped.Count > 0)
            throw new MienException($"'{path}' does not fit '{spec.Name}': " + string.Join("; ", new[]
            {
                missing.Count > 0 ? $"{missing.Count} missing: {string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? $" and {missing.Count - 8} more" : "")}" : null,
                misShaped.Count > 0 ? $"{misShaped.Count} mis-shaped: {string.Join(", ", misShaped.Take(8))}" : null,
            }.Where(s => s is not null)) + ".");
        using var noGrad = torch.no_grad();
        foreach (var (name, target, transpose) in graph.Weights)
        {
            var w = file[name];
            using var source = torch.tensor(w.Values, target.dim() == 1 ? [target.numel()] : w.Dims);
            target.copy_(transpose ? source.t() : source);
        }
        return new PretrainedWeightsResult(spec.Layers[0].Name ?? spec.Name, graph.Weights.Count, file.Count - graph.Weights.Select(x => x.Initializer).Distinct().Count());
    }
}
