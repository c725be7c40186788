using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Mien.Data;
using OpenCvSharp;

namespace Mien.Web;

/// <summary>
/// Reads the images of a request, in memory only (nothing from a request touches the disk): a raw body of any content
/// type, multipart/form-data files, or JSON <c>{"image_base64": ...}</c>. What the bytes are is sniffed, never taken
/// from Content-Type, so curl's default form-urlencoded <c>--data-binary</c> works.
/// </summary>
internal static class ImageUpload
{
    public sealed record Part(string Name, byte[] Bytes);

    private const string NoImage = "the request has no image: send the image bytes as the body, a multipart file field 'image', or JSON {\"image_base64\": \"...\"}.";

    public static async Task<List<Part>> ReadAsync(HttpRequest request, ServiceOptions options, int maxImages, CancellationToken ct)
    {
        long limit = options.MaxUploadBytes;
        if (request.ContentLength > limit) throw TooLarge(limit);
        var parts = new List<Part>();
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            string boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value ?? "";
            if (boundary.Length == 0) throw new RequestProblem(400, "multipart/form-data without a boundary.");
            var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = limit };
            long total = 0;
            MultipartSection? section;
            try
            {
                while ((section = await reader.ReadNextSectionAsync(ct)) is not null)
                {
                    if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var cd)) continue;
                    bool isFile = cd.FileName.HasValue || cd.FileNameStar.HasValue || cd.Name.Value is "image";
                    if (!isFile) { await section.Body.CopyToAsync(Stream.Null, ct); continue; } // other form fields are ignored
                    if (parts.Count == maxImages) throw new RequestProblem(413, $"more than {maxImages} images in one request.");
                    var bytes = await ReadAtMostAsync(section.Body, limit - total, limit, ct);
                    total += bytes.Length;
                    string name = HeaderUtilities.RemoveQuotes(cd.FileNameStar.HasValue ? cd.FileNameStar : cd.FileName).Value ?? "";
                    parts.Add(new Part(name.Length > 0 ? Path.GetFileName(name) : "upload", bytes));
                }
            }
            catch (InvalidDataException e) when (e.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase)) { throw TooLarge(limit); }
            // Kestrel's own limit errors are BadHttpRequestExceptions (IOExceptions too) and keep their status.
            catch (Exception e) when (e is InvalidDataException || (e is IOException && e is not BadHttpRequestException))
            {
                throw new RequestProblem(400, $"the multipart body cannot be read: {e.Message}");
            }
            if (parts.Count == 0) throw new RequestProblem(400, "the multipart body has no file field (send the image as a file field named 'image').");
            return parts;
        }

        var body = await ReadAtMostAsync(request.Body, limit, limit, ct);
        if (body.Length == 0) throw new RequestProblem(400, NoImage);
        bool json = type?.MediaType.Value is { } m && (m.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || m.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
        // A JSON body sent without its content type is still JSON: no image format starts with '{'.
        if (json || (ImageDecoder.SniffFormat(body) is null && FirstNonSpace(body) == '{')) parts.Add(new Part("upload", FromJson(body)));
        else parts.Add(new Part("upload", body));
        return parts;
    }

    /// <summary>Checks what the bytes are before any decoding (empty, not an image, too many pixels), then decodes.</summary>
    public static Mat Decode(byte[] bytes, ServiceOptions options)
    {
        if (bytes.Length == 0) throw new RequestProblem(400, NoImage);
        if (ImageDecoder.SniffFormat(bytes) is null)
        {
            bool text = bytes.Take(512).All(b => b is >= 0x20 or (byte)'\n' or (byte)'\r' or (byte)'\t');
            throw new RequestProblem(415, $"the body is not an image{(text ? " (it is text)" : "")}: send PNG, JPEG, BMP, GIF, TIFF or WebP bytes.");
        }
        if (ImageDecoder.ReadSize(bytes) is { } size && (size.Width > options.MaxPixels || size.Height > options.MaxPixels || size.Width * size.Height > options.MaxPixels))
            throw new RequestProblem(413, $"the image is {size.Width}x{size.Height}, over the {options.MaxPixels:N0}-pixel limit.");
        try { return ImageDecoder.DecodeColor(bytes, options.MaxPixels); }
        catch (InvalidDataException e) { throw new RequestProblem(400, $"the image cannot be read: {e.Message}."); }
    }

    private static byte[] FromJson(byte[] body)
    {
        string? b64;
        try
        {
            using var doc = JsonDocument.Parse(body);
            b64 = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("image_base64", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        }
        catch (JsonException e) { throw new RequestProblem(400, $"the JSON body is not valid: {e.Message}"); }
        if (string.IsNullOrEmpty(b64)) throw new RequestProblem(400, "the JSON body needs a string field \"image_base64\".");
        int comma = b64.StartsWith("data:", StringComparison.Ordinal) ? b64.IndexOf(',') : -1; // a data: URL as canvas.toDataURL gives
        try { return Convert.FromBase64String(b64[(comma + 1)..]); }
        catch (FormatException) { throw new RequestProblem(400, "\"image_base64\" is not valid base64."); }
    }

    private static async Task<byte[]> ReadAtMostAsync(Stream s, long remaining, long limit, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = await s.ReadAsync(buffer, ct)) > 0)
        {
            if (ms.Length + n > remaining) throw TooLarge(limit);
            ms.Write(buffer, 0, n);
        }
        return ms.ToArray();
    }

    private static int FirstNonSpace(byte[] b) => b.FirstOrDefault(x => x is not ((byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'));

    private static RequestProblem TooLarge(long limit) => new(413, $"the request body is over the {limit:N0}-byte limit (raise it with --max-body or Mien__MaxUploadBytes).");
}
