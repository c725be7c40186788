using System.Text.RegularExpressions;

namespace Mien.Tests.Architecture;

/// <summary>
/// The library's namespaces form a layered graph without cycles (docs/ARCHITECTURE.md draws it): read from the
/// sources, a namespace depends on another when it imports it or names one of its types.
/// </summary>
[Trait("Tier", "Fast")] // needs neither ../shared/data nor Chromium
public partial class NamespaceGraphTests
{
    [Fact]
    public void The_library_namespaces_have_no_cycle()
    {
        var graph = Graph();
        Assert.True(graph.Count >= 8, $"only {graph.Count} namespaces found");
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"namespace cycle: {string.Join(" -> ", cycle ?? [])}\n{Describe(graph)}");
    }

    [Fact]
    public void The_lowest_layers_depend_on_nothing_above_them()
    {
        var graph = Graph();
        Assert.Empty(graph["IO"]);
        Assert.DoesNotContain("Reporting", graph["Training"]);
        Assert.DoesNotContain("Reporting", graph["Models"]);
        Assert.DoesNotContain("Experiments", graph["Reporting"]);
    }

    private static Dictionary<string, HashSet<string>> Graph()
    {
        string root = Path.Combine(TestData.RepoRoot, "src", "Mien");
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (Text: Strip(File.ReadAllText(f)), Path: f)).ToList();
        var nsOf = files.Select(f => (f.Text, Ns: NamespaceRegex().Match(f.Text) is { Success: true } m ? m.Groups[1].Value : null)).Where(f => f.Ns is not null).ToList();
        var types = nsOf.GroupBy(f => f.Ns!).ToDictionary(g => g.Key, g => g.SelectMany(f => TypeRegex().Matches(f.Text).Select(m => m.Groups[1].Value)).ToHashSet());
        var graph = types.Keys.ToDictionary(k => k, _ => new HashSet<string>());
        foreach (var (text, ns) in nsOf)
            foreach (var other in types.Keys.Where(k => k != ns))
            {
                bool imports = Regex.IsMatch(text, $@"using (static )?Mien\.{other}\b") || Regex.IsMatch(text, $@"\bMien\.{other}\.");
                bool names = types[other].Any(t => Regex.IsMatch(text, $@"(?<![\w.]){other}\.{t}\b"));
                if (imports || names) graph[ns!].Add(other);
            }
        return graph;
    }

    // Comments and string literals say things about other namespaces without depending on them.
    private static string Strip(string code) => Regex.Replace(Regex.Replace(code, @"//.*", ""), "\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = graph.Keys.ToDictionary(k => k, _ => 0); // 0 new, 1 on the path, 2 done
        var path = new List<string>();
        List<string>? Visit(string n)
        {
            state[n] = 1; path.Add(n);
            foreach (var m in graph[n].Where(graph.ContainsKey))
            {
                if (state[m] == 1) return [.. path.SkipWhile(p => p != m), m];
                if (state[m] == 0 && Visit(m) is { } c) return c;
            }
            state[n] = 2; path.RemoveAt(path.Count - 1);
            return null;
        }
        foreach (var n in graph.Keys) if (state[n] == 0 && Visit(n) is { } c) return c;
        return null;
    }

    private static string Describe(Dictionary<string, HashSet<string>> g) =>
        string.Join("\n", g.OrderBy(k => k.Key).Select(k => $"{k.Key} -> {string.Join(", ", k.Value.Order())}"));

    [GeneratedRegex(@"^namespace Mien\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceRegex();

    [GeneratedRegex(@"\b(?:class|record|interface|enum|struct)\s+(\w+)")]
    private static partial Regex TypeRegex();
}
