using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mien.IO;

/// <summary>
/// The one JSON style of every file Mien writes and reads back (run folders, checkpoints, model metadata):
/// snake_case names, indented, readable paths (no \u002B escapes), NaN and infinities as named literals, and the
/// same options for reading as for writing, so whatever was written (a NaN loss in a history, say) reads back.
/// </summary>
public static class MienJson
{
    /// <summary>The serializer options of every Mien JSON file.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null, // dictionary keys are data (class names, setting names), not member names
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The value as Mien JSON text.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Writes atomically (see <see cref="AtomicFile"/>): readers never see half a file.</summary>
    public static void Write<T>(string path, T value) => AtomicFile.WriteAllText(path, Serialize(value));

    /// <summary>Reads a file written by <see cref="Write{T}"/>; a malformed file throws <see cref="MienException"/> naming it.</summary>
    public static T Read<T>(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options)
                   ?? throw new MienException($"'{path}' is empty (JSON null).");
        }
        catch (JsonException e) { throw new MienException($"'{path}' is not valid: {e.Message}", e); }
    }
}
