namespace Mien.IO;

/// <summary>
/// The layout of a run folder: every file a training run or a cross-validation writes, by name, in one place.
/// Writers and readers (reports, <c>--resume</c>, the bench) take their paths from here instead of spelling them.
/// </summary>
public sealed class RunFolder(string root)
{
    /// <summary>The run folder itself.</summary>
    public string Root { get; } = root;

    /// <summary>The model kept by training: the epoch that scored best on validation.</summary>
    public string BestModel => Path.Combine(Root, "best.mien"); // EmotionModel.FileExtension (IO sits below Models)
    /// <summary>
    /// The last epoch's model, the one a cross-validation fold scores: there the best epoch would be chosen on the
    /// fold's held-out people, so fold folders keep this instead of <see cref="BestModel"/>.
    /// </summary>
    public string LastModel => Path.Combine(Root, "last.mien");
    /// <summary>history.csv: one row per epoch.</summary>
    public string HistoryCsv => Path.Combine(Root, "history.csv");
    /// <summary>history.json: the same, for programs.</summary>
    public string HistoryJson => Path.Combine(Root, "history.json");
    /// <summary>split.json: which images trained, validated and tested.</summary>
    public string Split => Path.Combine(Root, "split.json");

    /// <summary>The settings the run was made with (training options, model spec name, dataset).</summary>
    public string Settings => Path.Combine(Root, "options.json");
    /// <summary>metrics.json: the final scores of a training run.</summary>
    public string Metrics => Path.Combine(Root, "metrics.json");
    /// <summary>cv.json: folds, mean and std of a cross-validation.</summary>
    public string CrossValidation => Path.Combine(Root, "cv.json");
    /// <summary>report.html: the self-contained report.</summary>
    public string Report => Path.Combine(Root, "report.html");
    /// <summary>plots/: the report's PNGs.</summary>
    public string Plots => Path.Combine(Root, "plots");
    /// <summary>checkpoints/: the newest epoch's model and optimizer.</summary>
    public string Checkpoints => Path.Combine(Root, "checkpoints");
    /// <summary>checkpoints/checkpoint.json: the resumable state (written last).</summary>
    public string Checkpoint => Path.Combine(Checkpoints, "checkpoint.json");

    /// <summary>The sub-folder of cross-validation fold <paramref name="index"/> (0-based; named fold-01...).</summary>
    public RunFolder Fold(int index) => new(Path.Combine(Root, $"fold-{index + 1:D2}"));

    /// <summary>run.lock: held (exclusively) by the process training into the folder.</summary>
    public string LockFile => Path.Combine(Root, "run.lock");
    // The holder's pid, beside the lock: a file locked exclusively cannot be read by others.
    private string LockOwnerFile => Path.Combine(Root, "run.lock.pid");

    /// <summary>
    /// Takes the folder for one process until disposed: a second <c>mien train</c> or <c>--resume</c> into a folder a
    /// running one is still writing would interleave two runs' checkpoints and best models. The lock is the operating
    /// system's (released when the process dies, even by kill -9), so a stale file never blocks a resume.
    /// </summary>
    public IDisposable Lock()
    {
        FileStream stream;
        try { stream = new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException e) when (File.Exists(LockFile))
        {
            string holder = "";
            try { holder = File.ReadAllText(LockOwnerFile).Trim(); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw new MienException($"the run folder '{Root}' is in use by another Mien process{(holder.Length > 0 ? $" (pid {holder})" : "")}: " +
                                    "wait for it to finish or stop it before training or resuming here.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new MienException($"cannot lock the run folder '{Root}': {e.Message}", e); }
        try { File.WriteAllText(LockOwnerFile, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the pid is a courtesy for the error above
        return new FolderLock(stream, LockOwnerFile);
    }

    private sealed class FolderLock(FileStream stream, string ownerFile) : IDisposable
    {
        public void Dispose()
        {
            try { File.Delete(ownerFile); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            stream.Dispose();
        }
    }

    /// <summary>Creates the folder (and its checkpoints folder); a folder that cannot be made is named in the error.</summary>
    public RunFolder Create()
    {
        try { Directory.CreateDirectory(Checkpoints); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new MienException($"cannot create the run folder '{Root}': {e.Message}", e); }
        return this;
    }

    /// <summary>True when the folder holds a training run, finished (metrics.json, best.mien) or not (a checkpoint, a history).</summary>
    public bool HasRun => File.Exists(Metrics) || File.Exists(BestModel) || File.Exists(LastModel) || File.Exists(Checkpoint) || File.Exists(HistoryJson);

    /// <summary>
    /// True when a run was started here and stopped before its first checkpoint (killed during the first epoch): nothing
    /// was committed, so resuming it is starting it over.
    /// </summary>
    internal bool StoppedBeforeFirstCheckpoint =>
        !File.Exists(Checkpoint) && !File.Exists(Metrics) && (File.Exists(Settings) || File.Exists(HistoryJson) || File.Exists(BestModel));

    /// <summary>
    /// Deletes the temporary files of writes a kill interrupted (<see cref="AtomicFile.IsTemporary"/>) in the folder and
    /// its checkpoints folder; nothing reads them, and each can be as large as a model. Returns how many went.
    /// </summary>
    internal int DeleteInterruptedWrites()
    {
        int n = 0;
        foreach (var dir in new[] { Root, Checkpoints })
            if (Directory.Exists(dir))
                foreach (var f in Directory.EnumerateFiles(dir).Where(f => AtomicFile.IsTemporary(Path.GetFileName(f))).ToList())
                {
                    try { File.Delete(f); n++; }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new MienException($"cannot delete the interrupted write '{f}': {e.Message}", e); }
                }
        return n;
    }

    /// <summary>
    /// Refuses to start a new training run over an existing one (its model and scores would be silently replaced, or
    /// mixed with the new run's): with <paramref name="resume"/> the run continues, with <paramref name="overwrite"/>
    /// the old run's files are deleted first. Anything else in the folder is left alone.
    /// </summary>
    public void PrepareNewRun(bool resume, bool overwrite)
    {
        if (resume || !HasRun) return;
        if (!overwrite)
            // best.mien alone is not a finished run: it is written at every improving epoch, metrics.json at the end.
            throw new MienException(File.Exists(Metrics)
                ? $"'{Root}' already holds a finished run; use another --out, or --overwrite to replace it."
                : $"'{Root}' already holds an unfinished run; --resume continues it, --overwrite starts over.");
        try
        {
            foreach (var f in new[] { BestModel, LastModel, HistoryCsv, HistoryJson, Split, Settings, Metrics, Report })
                File.Delete(f);
            // A checkpoint left from the old run would let a later --resume continue the wrong run.
            foreach (var d in new[] { Checkpoints, Plots })
                if (Directory.Exists(d)) Directory.Delete(d, recursive: true);
            DeleteInterruptedWrites();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        { throw new MienException($"cannot clear the old run in '{Root}': {e.Message}", e); }
    }

    /// <summary>The root path.</summary>
    public override string ToString() => Root;
}
