namespace Mien.Training;

/// <summary>Hooks into training (Keras-style callbacks): progress display, logging, custom stopping.</summary>
public interface ITrainingCallback
{
    void OnTrainingStart(int epochs, int trainCount, int validationCount) { }
    void OnBatchEnd(BatchProgress progress) { }
    void OnEpochEnd(EpochMetrics metrics, bool isBest) { }
    void OnMessage(string message) { }
}
