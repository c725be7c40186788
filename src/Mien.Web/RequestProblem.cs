namespace Mien.Web;

/// <summary>A request the service refuses: the HTTP status and a one-line reason, answered as problem details JSON.</summary>
public sealed class RequestProblem(int statusCode, string message) : Mien.IO.MienException(message)
{
    /// <summary>The 4xx status of the answer.</summary>
    public int StatusCode { get; } = statusCode;
}
