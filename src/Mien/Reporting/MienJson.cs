using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mien.Reporting;

/// <summary>One JSON style for every file Mien writes: indented, readable paths (no \u002B escapes), atomic writes.</summary>
public static class MienJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Writes through a temporary file and a rename, so readers never see half a file.</summary>
    public static void Write<T>(string path, T value)
    {
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, Serialize(value));
        File.Move(tmp, path, overwrite: true);
    }
}
