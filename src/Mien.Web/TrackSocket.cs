using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Mien.Inference;
using Mien.Inference.Tracking;

namespace Mien.Web;

/// <summary>
/// <c>/v1/track</c>, a WebSocket for live video (the webcam page): the client sends one image per binary message, in
/// order; the service answers each with a text message, the frame's faces by track (stable ids, raw and smoothed
/// probabilities), from one <see cref="VideoTracker"/> per connection. Frame times are the service's arrival times.
/// A frame that is not an image gets <c>{"error", "status"}</c> and the connection stays open; one over the body
/// limit closes it (1009, message too big).
/// </summary>
internal static class TrackSocket
{
    public static void MapTrackSocket(this IEndpointRouteBuilder app) =>
        // A session outlives the per-request timeout; each frame is one message, decoded under the same limits as /v1/predict.
        app.Map("/v1/track", Handle).DisableRequestTimeout().ExcludeFromDescription();

    private static async Task Handle(HttpContext ctx, Recognizers recognizers, ServiceOptions options)
    {
        if (!ctx.WebSockets.IsWebSocketRequest)
            throw new RequestProblem(400, "/v1/track is a WebSocket: connect with ws:// (or wss://) and send one image per binary message.");
        var ct = ctx.RequestAborted;
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
        using var tracker = new VideoTracker(recognizers.Main);
        var clock = Stopwatch.StartNew();
        var buffer = new byte[64 << 10];
        for (int index = 0; socket.State == WebSocketState.Open; index++)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer, ct);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, ct);
                    return;
                }
                message.Write(buffer, 0, received.Count);
                if (message.Length > options.MaxUploadBytes)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"a frame is over the {options.MaxUploadBytes:N0}-byte limit.", ct);
                    return;
                }
            } while (!received.EndOfMessage);
            byte[] reply;
            try
            {
                using var image = ImageUpload.Decode(message.ToArray(), options);
                reply = JsonSerializer.SerializeToUtf8Bytes(Record(tracker.Process(image, index, clock.Elapsed.TotalSeconds)), PredictionRecords.Options);
            }
            catch (RequestProblem e)
            {
                reply = JsonSerializer.SerializeToUtf8Bytes(new TrackError(e.Message, e.StatusCode), PredictionRecords.Options);
            }
            await socket.SendAsync(reply, WebSocketMessageType.Text, endOfMessage: true, ct);
        }
    }

    private static TrackedFrameRecord Record(TrackedFrame f) => new(f.Frame, Math.Round(f.TimeSeconds, 3), f.Cut, f.Detected, f.Faces.Select(x =>
        new TrackedFaceRecord(x.TrackId, new BoxRecord(x.Raw.Box.X, x.Raw.Box.Y, x.Raw.Box.Width, x.Raw.Box.Height), x.Raw.FaceSource.Name(),
            x.Emotion, x.Confidence, x.Raw.Emotion, x.Raw.Confidence, x.Raw.Probabilities, x.Smoothed)).ToList());
}
