using Mien.Data;
using Mien.Evaluation;
using Mien.Models;
using Mien.Splits;
using Mien.Training;
using TorchSharp;

namespace Mien.Tests.Training;

public class DistillationTests
{
    private static FaceDataset Ck => TrainerTests.Ck;
    private static ModelSpec Small => TrainerTests.Small;

    [Fact]
    public void The_loss_is_T_squared_times_the_KL_divergence_and_zero_when_student_and_teacher_agree()
    {
        using var s = torch.randn(8, 7, generator: new torch.Generator(1));
        using var t = torch.randn(8, 7, generator: new torch.Generator(2));
        const double T = 3;
        using var p = torch.nn.functional.softmax(t / T, 1);
        using var q = torch.nn.functional.softmax(s / T, 1);
        double byHand = 0;
        for (int i = 0; i < 8; i++)
            for (int c = 0; c < 7; c++) { double pi = p[i, c].item<float>(); byHand += pi * Math.Log(pi / q[i, c].item<float>()); }
        Assert.Equal(T * T * byHand / 8, TeacherEnsemble.Loss(s, p, T).item<float>(), 4);
        using var same = torch.nn.functional.softmax(s / T, 1);
        Assert.Equal(0, TeacherEnsemble.Loss(s, same, T).item<float>(), 5);
    }

    [Fact]
    public void A_student_that_never_sees_a_label_learns_the_faces_from_its_teacher()
    {
        using var tmp = TestData.NewTempDir();
        var split = Splitter.HoldOut(Ck, 0.25, seed: 11);
        var teacherRun = new Trainer(new TrainingOptions { Epochs = 8, BatchSize = 32, LearningRate = 3e-3, Seed = 11, WarmupEpochs = 0 }).Fit(Ck, split, Small);
        teacherRun.Model.Save(tmp["teacher.mien"]);

        // Weight 1: the labels' term is multiplied by 0, so all the student knows comes from the teacher.
        var o = new TrainingOptions { Epochs = 8, BatchSize = 32, LearningRate = 3e-3, Seed = 12, WarmupEpochs = 0, Teachers = [tmp["teacher.mien"]], DistillationWeight = 1, DistillationTemperature = 2 };
        var student = new Trainer(o).Fit(Ck, split, Small);
        double majority = Ck.ClassCounts(split.Validation).Max() / (double)split.Validation.Length;
        var report = Evaluator.Evaluate(student.Model, Ck, split.Validation);
        Assert.True(report.Accuracy > majority + 0.1, $"student {report.Accuracy:P1} on unseen subjects vs majority-class {majority:P1}");

        var ps = Evaluator.PredictProbabilities(student.Model, Ck, split.Validation);
        var pt = Evaluator.PredictProbabilities(teacherRun.Model, Ck, split.Validation);
        double agree = Enumerable.Range(0, ps.Length).Count(i => Argmax(ps[i]) == Argmax(pt[i])) / (double)ps.Length;
        Assert.True(agree >= 0.6, $"student agrees with its teacher on {agree:P1} of unseen faces");
        Assert.Contains("teacher.mien", student.Model.Metadata.Training!["teachers"]);
    }

    [Fact]
    public void A_teacher_without_one_of_the_classes_or_at_another_input_size_is_refused_by_name()
    {
        using var tmp = TestData.NewTempDir();
        var sub = Ck.Subset(Enumerable.Range(0, Ck.Count).Where(i => i % 8 == 0).ToArray());
        var split = Splitter.HoldOut(sub, 0.3, seed: 2);
        using (var sixClasses = EmotionModel.Create(Small, Ck.ClassNames.Where(c => c != "contempt").ToList(), 0.5f, 0.25f)) sixClasses.Save(tmp["six.mien"]);
        using (var big = EmotionModel.Create(Small with { InputSize = 64 }, Ck.ClassNames, 0.5f, 0.25f)) big.Save(tmp["big.mien"]);
        var o = new TrainingOptions { Epochs = 1, BatchSize = 32, RunDirectory = tmp["run"] };

        var missing = Assert.Throws<ArgumentException>(() => new Trainer(o with { Teachers = [tmp["six.mien"]] }).Fit(sub, split, Small));
        Assert.Contains("six.mien", missing.Message);
        Assert.Contains("no output for contempt", missing.Message);
        var size = Assert.Throws<ArgumentException>(() => new Trainer(o with { Teachers = [tmp["big.mien"]] }).Fit(sub, split, Small));
        Assert.Contains("64x64", size.Message);
        Assert.False(Directory.Exists(tmp["run"]), "a refused teacher must fail before the run folder is made");
        Assert.Contains("distillation weight", Assert.Throws<ArgumentException>(() => new TrainingOptions { DistillationWeight = 1.5 }.Validate()).Message);
    }

    private static int Argmax(float[] p) => Array.IndexOf(p, p.Max());
}
