using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Mien.Tests.Inference;
using OpenCvSharp;

namespace Mien.Tests.Web;

/// <summary>/v1/track: live video over a WebSocket, one tracker per connection.</summary>
[Collection("Web")]
public class TrackSocketTests(WebServiceTests.Host host) : IClassFixture<WebServiceTests.Host>
{
    [Fact]
    public async Task Web_track_socket_answers_each_frame_with_stable_track_ids_and_smoothed_emotions()
    {
        using var socket = await host.Server.CreateWebSocketClient().ConnectAsync(new Uri(host.Server.BaseAddress, "v1/track"), CancellationToken.None);
        var frames = TrackingClips.Render(20, 21, 22, 23, 24, 25); // the peaks of shot 1: happy left, surprise right
        var ids = new List<(int Left, int Right)>();
        foreach (var frame in frames)
        {
            Cv2.ImEncode(".jpg", frame, out byte[] jpeg);
            frame.Dispose();
            using var doc = await Exchange(socket, jpeg);
            var faces = doc.RootElement.GetProperty("faces").EnumerateArray().OrderBy(f => f.GetProperty("box").GetProperty("x").GetInt32()).ToList();
            Assert.Equal(2, faces.Count);
            Assert.Equal("happy", faces[0].GetProperty("emotion").GetString());
            Assert.Equal("surprise", faces[1].GetProperty("emotion").GetString());
            Assert.Equal(7, faces[0].GetProperty("raw").EnumerateObject().Count());
            Assert.Equal(7, faces[0].GetProperty("smoothed").EnumerateObject().Count());
            ids.Add((faces[0].GetProperty("track").GetInt32(), faces[1].GetProperty("track").GetInt32()));
        }
        Assert.Single(ids.Distinct());
        Assert.NotEqual(ids[0].Left, ids[0].Right);

        // Not an image: an error for that frame, and the connection goes on.
        using (var bad = await Exchange(socket, Encoding.UTF8.GetBytes("hello")))
        {
            Assert.Equal(415, bad.RootElement.GetProperty("status").GetInt32());
            Assert.Contains("not an image", bad.RootElement.GetProperty("error").GetString());
        }
        Assert.Equal(WebSocketState.Open, socket.State);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    [Fact]
    public async Task Web_track_without_a_websocket_is_a_problem_saying_so()
    {
        using var client = host.CreateClient();
        var detail = await WebServiceTests.Problem(await client.GetAsync("/v1/track"), System.Net.HttpStatusCode.BadRequest);
        Assert.Contains("WebSocket", detail);
    }

    private static async Task<JsonDocument> Exchange(WebSocket socket, byte[] message)
    {
        await socket.SendAsync(message, WebSocketMessageType.Binary, true, CancellationToken.None);
        using var ms = new MemoryStream();
        var buffer = new byte[16 << 10];
        WebSocketReceiveResult r;
        do
        {
            r = await socket.ReceiveAsync(buffer, CancellationToken.None);
            ms.Write(buffer, 0, r.Count);
        } while (!r.EndOfMessage);
        Assert.Equal(WebSocketMessageType.Text, r.MessageType);
        return JsonDocument.Parse(ms.ToArray());
    }
}
