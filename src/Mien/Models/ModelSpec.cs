using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mien.Models;

/// <summary>
/// A declarative CNN: its input size and layers. The classifier (a dense layer with one output per class)
/// is appended by the builder, so one spec serves any number of classes.
/// </summary>
public sealed record ModelSpec
{
    /// <summary>The preset or spec name.</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = "custom";
    /// <summary>One line for <c>mien models</c>.</summary>
    [JsonPropertyName("description")] public string Description { get; init; } = "";
    /// <summary>Side of the square grey input, in pixels.</summary>
    [JsonPropertyName("input_size")] public int InputSize { get; init; } = 48;
    /// <summary>The layers, input to output (the classifier is appended by the builder).</summary>
    [JsonPropertyName("layers")] public List<LayerSpec> Layers { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The spec as indented JSON (the layer-spec file format).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses a spec; errors name the file and what is wrong.</summary>
    public static ModelSpec FromJson(string json, string origin = "spec")
    {
        ModelSpec? spec;
        try { spec = JsonSerializer.Deserialize<ModelSpec>(json, Json); }
        catch (JsonException e) { throw new ModelSpecException($"{origin}: malformed JSON at line {e.LineNumber + 1}: {e.Message}"); }
        if (spec is null) throw new ModelSpecException($"{origin}: empty spec.");
        ModelBuilder.Validate(spec, origin);
        return spec;
    }

    /// <summary>Reads a JSON layer-spec file; a bad file throws <see cref="ModelSpecException"/> naming it.</summary>
    public static ModelSpec FromFile(string path)
    {
        if (!File.Exists(path)) throw new ModelSpecException($"Layer spec file '{path}' does not exist.");
        return FromJson(File.ReadAllText(path), path);
    }
}
