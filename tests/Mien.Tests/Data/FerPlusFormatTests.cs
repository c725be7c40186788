using Mien.Data;
using OpenCvSharp;

namespace Mien.Tests.Data;

public class FerPlusFormatTests
{
    // neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF
    private static readonly string[] Rows =
    [
        "a.png,\"(0, 0, 48, 48)\",6,0,1,1,0,0,0,2,0,0", // neutral majority, some contempt votes
        "b.png,\"(0, 0, 48, 48)\",0,10,0,0,0,0,0,0,0,0", // all happy
        "c.png,\"(0, 0, 48, 48)\",1,0,0,0,0,0,0,0,7,2", // top vote unknown: left out
        "d.png,\"(0, 0, 48, 48)\",0,0,0,0,0,0,0,0,1,9", // not a face: left out
        "e.png,\"(0, 0, 48, 48)\",1,0,0,0,0,0,0,6,3,0", // contempt majority
        "f.png,\"(0, 0, 48, 48)\",x,0,0,0,0,0,0,0,0,0", // malformed: reported
    ];

    private static string MakeTree(TempDir tmp)
    {
        string root = tmp["FERPlus"];
        foreach (var split in new[] { "FER2013Train", "FER2013Valid" })
        {
            Directory.CreateDirectory(Path.Combine(root, split));
            File.WriteAllLines(Path.Combine(root, split, "label.csv"), Rows);
            foreach (var name in "abcdef")
            {
                using var m = new Mat(48, 48, MatType.CV_8UC1, new Scalar(40 + 30 * (name - 'a')));
                Cv2.ImWrite(Path.Combine(root, split, $"{name}.png"), m);
            }
        }
        return root;
    }

    [Fact]
    public void Votes_become_distributions_majority_labels_and_unknown_or_not_a_face_is_left_out()
    {
        using var tmp = TestData.NewTempDir();
        string zip = tmp["ferplus.zip"];
        TestData.Zip(MakeTree(tmp), zip);
        var d = DatasetLoader.Load(zip);
        Assert.Equal("FER+ votes", d.Format);
        Assert.Equal(6, d.Count); // a, b, e per split
        Assert.Equal(["happy", "sadness", "surprise", "neutral", "contempt"], d.ClassNames);
        Assert.True(d.HasSoftTargets);
        int a = Array.FindIndex(d.Sources, s => s.EndsWith("FER2013Train/a.png"));
        Assert.Equal("neutral", d.ClassNames[d.Labels[a]]);
        var t = d.Target(a);
        Assert.Equal(0.6f, t[d.ClassNames.ToList().IndexOf("neutral")], 5);
        Assert.Equal(0.2f, t[d.ClassNames.ToList().IndexOf("contempt")], 5);
        Assert.Equal(1f, t.Sum(), 5);
        Assert.Equal(3, d.IndicesOfSplit("train").Length);
        Assert.Equal(3, d.IndicesOfSplit("validation").Length);
        Assert.Contains(d.Problems, p => p.ToString().Contains("not a number"));
        Assert.Contains(d.Problems, p => p.ToString().Contains("'unknown'"));

        // Without contempt: its votes go, the rest renormalise, and contempt-majority faces are left out.
        var seven = d.WithoutClasses(["contempt"]);
        Assert.DoesNotContain("contempt", seven.ClassNames);
        Assert.Equal(4, seven.Count);
        int a2 = Array.FindIndex(seven.Sources, s => s.EndsWith("FER2013Train/a.png"));
        Assert.Equal(0.75f, seven.Target(a2)[seven.ClassNames.ToList().IndexOf("neutral")], 5);
    }

    [Fact]
    public void The_real_ferplus_archive_reads_with_its_splits()
    {
        var d = DatasetLoader.Load(TestData.Shared("ferplus.zip"), new DatasetLoadOptions { Limit = 2000 });
        Assert.Equal("FER+ votes", d.Format);
        Assert.True(d.HasSplit("train") && d.HasSplit("validation"));
        Assert.Contains("contempt", d.ClassNames);
        for (int i = 0; i < d.Count; i += 97)
        {
            var t = d.Target(i);
            Assert.Equal(1f, t.Sum(), 4);
            Assert.Equal(t.Max(), t[d.Labels[i]]); // the label is a top vote (ties go to the first column of label.csv)
        }
    }
}
