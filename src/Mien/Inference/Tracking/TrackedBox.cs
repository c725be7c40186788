using Mien.Faces;

namespace Mien.Inference.Tracking;

/// <summary>A face box and the id of the track it belongs to (ids count from 1 and are never reused in one tracker).</summary>
public readonly record struct TrackedBox(int TrackId, FaceBox Box);
