namespace Mien.Imaging;

/// <summary>
/// The few image operations face finding and cropping need, in managed code and following OpenCV's definitions, so that
/// Mien.Onnx reads a face as Mien does with OpenCV (a test compares them): BGR to grey with OpenCV's fixed-point
/// weights, area averaging when shrinking (INTER_AREA, bit-exact on the sizes tested), bilinear when enlarging
/// (INTER_LINEAR, OpenCV's fixed-point arithmetic), and edge-replicating borders (BORDER_REPLICATE).
/// </summary>
internal static class PixelOps
{
    /// <summary>A grey copy (OpenCV 4's BGR2GRAY: 0.299 R + 0.587 G + 0.114 B in 15-bit fixed point).</summary>
    public static PixelImage ToGray(PixelImage image)
    {
        if (image.Channels == 1) return new PixelImage(image.Width, image.Height, 1, (byte[])image.Pixels.Clone());
        var src = image.Pixels;
        var dst = new byte[image.Width * image.Height];
        for (int i = 0, j = 0; i < dst.Length; i++, j += 3)
            dst[i] = (byte)((src[j] * 3735 + src[j + 1] * 19235 + src[j + 2] * 9798 + (1 << 14)) >> 15);
        return new PixelImage(image.Width, image.Height, 1, dst);
    }

    /// <summary>A BGR copy (grey replicated into the three channels).</summary>
    public static PixelImage ToBgr(PixelImage image)
    {
        if (image.Channels == 3) return image;
        var src = image.Pixels;
        var dst = new byte[src.Length * 3];
        for (int i = 0, j = 0; i < src.Length; i++, j += 3) dst[j] = dst[j + 1] = dst[j + 2] = src[i];
        return new PixelImage(image.Width, image.Height, 3, dst);
    }

    /// <summary>Resized as every face is (FacePreprocessor in Mien): area averaging when shrinking, bilinear when enlarging.</summary>
    public static PixelImage Resize(PixelImage image, int width, int height) =>
        image.Width == width && image.Height == height ? image
        : image.Width > width ? ResizeArea(image, width, height) : ResizeLinear(image, width, height);

    /// <summary>OpenCV's INTER_AREA for shrinking: each output pixel is the mean of the source area it covers.</summary>
    public static PixelImage ResizeArea(PixelImage image, int width, int height)
    {
        var xs = AreaWeights(image.Width, width);
        var ys = AreaWeights(image.Height, height);
        return Separable(image, width, height, xs, ys);
    }

    /// <summary>
    /// OpenCV's INTER_LINEAR for 8-bit images, to the bit: source x = (x + 0.5) * scale - 0.5 clamped to the edge pixels,
    /// 11-bit fixed-point weights, rows blended as OpenCV's vector code does ((b0 * (S0 &gt;&gt; 4)) &gt;&gt; 16 per row, then
    /// (sum + 2) &gt;&gt; 2). A float version differed by one level in 12 % of the pixels, which moved the tiny detector's
    /// boxes by a pixel on 48-px faces.
    /// </summary>
    public static PixelImage ResizeLinear(PixelImage image, int width, int height)
    {
        var (xs, xa) = LinearTaps(image.Width, width);
        var (ys, yb) = LinearTaps(image.Height, height, clampWeights: false);
        int c = image.Channels, w = image.Width, stride = image.Stride, rowLength = width * c;
        var src = image.Pixels;
        // Each source row blended horizontally once (weights scaled by 2048), kept while neighbouring output rows need it.
        var cache = new Dictionary<int, int[]>();
        int[] Horizontal(int sy)
        {
            if (cache.TryGetValue(sy, out var row)) return row;
            row = new int[rowLength];
            int o = sy * stride;
            for (int x = 0; x < width; x++)
            {
                int s0 = xs[x], s1 = Math.Min(s0 + 1, w - 1);
                var (a0, a1) = xa[x];
                for (int k = 0; k < c; k++) row[x * c + k] = src[o + s0 * c + k] * a0 + src[o + s1 * c + k] * a1;
            }
            if (cache.Count > 4) cache.Clear();
            cache[sy] = row;
            return row;
        }
        var dst = new byte[rowLength * height];
        for (int y = 0; y < height; y++)
        {
            var r0 = Horizontal(Math.Clamp(ys[y], 0, image.Height - 1));
            var r1 = Horizontal(Math.Clamp(ys[y] + 1, 0, image.Height - 1));
            var (b0, b1) = yb[y];
            for (int x = 0; x < rowLength; x++)
            {
                int v = (((((r0[x] >> 4) * b0) >> 16) + (((r1[x] >> 4) * b1) >> 16)) + 2) >> 2;
                dst[y * rowLength + x] = (byte)Math.Clamp(v, 0, 255);
            }
        }
        return new PixelImage(width, height, c, dst);
    }

    // OpenCV's resize tables: the first source index of each output index and its two weights, each rounded from
    // (1 - f) * 2048 and f * 2048 with f computed in single precision. Columns past an edge take the edge pixel whole;
    // rows keep their weights and read the edge row twice (OpenCV clamps the row pointers, not the weights).
    private static (int[] Index, (int A0, int A1)[] Weights) LinearTaps(int source, int target, bool clampWeights = true)
    {
        double scale = 1.0 / ((double)target / source);
        var index = new int[target];
        var weights = new (int, int)[target];
        for (int d = 0; d < target; d++)
        {
            float f = (float)((d + 0.5) * scale - 0.5);
            int s = (int)MathF.Floor(f);
            f -= s;
            if (clampWeights && s < 0) (s, f) = (0, 0);
            if (clampWeights && s >= source - 1) (s, f) = (source - 1, 0);
            index[d] = s;
            weights[d] = ((int)Math.Round((1f - f) * 2048f, MidpointRounding.ToEven), (int)Math.Round(f * 2048f, MidpointRounding.ToEven));
        }
        return (index, weights);
    }

    /// <summary>
    /// The <paramref name="width"/> x <paramref name="height"/> region at (<paramref name="x"/>, <paramref name="y"/>),
    /// which may reach outside the image: pixels outside repeat the nearest edge pixel (BORDER_REPLICATE).
    /// </summary>
    public static PixelImage Region(PixelImage image, int x, int y, int width, int height)
    {
        int c = image.Channels;
        var dst = new byte[width * height * c];
        var src = image.Pixels;
        for (int r = 0; r < height; r++)
        {
            int sy = Math.Clamp(y + r, 0, image.Height - 1);
            int rowStart = sy * image.Stride;
            // The part inside the image is one block copy; only the border columns are pixel by pixel.
            int inFrom = Math.Clamp(-x, 0, width), inTo = Math.Clamp(image.Width - x, 0, width);
            for (int col = 0; col < inFrom; col++) Buffer.BlockCopy(src, rowStart, dst, (r * width + col) * c, c);
            if (inTo > inFrom) Buffer.BlockCopy(src, rowStart + (x + inFrom) * c, dst, (r * width + inFrom) * c, (inTo - inFrom) * c);
            for (int col = Math.Max(inTo, inFrom); col < width; col++) Buffer.BlockCopy(src, rowStart + (image.Width - 1) * c, dst, (r * width + col) * c, c);
        }
        return new PixelImage(width, height, c, dst);
    }

    // For each output index, the source indices and weights that make it (weights sum to 1).
    private static (int Index, float Weight)[][] AreaWeights(int source, int target)
    {
        double scale = (double)source / target;
        var result = new (int, float)[target][];
        for (int d = 0; d < target; d++)
        {
            double from = d * scale, to = Math.Min((d + 1) * scale, source);
            var taps = new List<(int, float)>();
            for (int s = (int)Math.Floor(from); s < to; s++)
            {
                double overlap = Math.Min(to, s + 1) - Math.Max(from, s);
                if (overlap > 1e-9) taps.Add((s, (float)(overlap / (to - from))));
            }
            result[d] = [.. taps];
        }
        return result;
    }

    // Rows first (into floats), then columns; rounded to the nearest byte at the end, as OpenCV's float paths do. Each
    // sum adds its taps in order from 0, so the loops may be arranged for speed (whole rows at a time, vectors for the
    // columns) without changing a single rounding.
    private static PixelImage Separable(PixelImage image, int width, int height, (int Index, float Weight)[][] xs, (int Index, float Weight)[][] ys)
    {
        int c = image.Channels, stride = image.Stride, rowLength = width * c;
        var src = image.Pixels;
        var rows = new float[image.Height * rowLength];
        // The column taps flattened (start, count; source offsets and weights side by side) for the inner loop.
        var start = new int[width + 1];
        for (int x = 0; x < width; x++) start[x + 1] = start[x] + xs[x].Length;
        var offset = new int[start[width]];
        var weight = new float[start[width]];
        for (int x = 0; x < width; x++)
            for (int t = 0; t < xs[x].Length; t++) (offset[start[x] + t], weight[start[x] + t]) = (xs[x][t].Index * c, xs[x][t].Weight);
        for (int y = 0; y < image.Height; y++)
        {
            var row = src.AsSpan(y * stride, stride);
            var output = rows.AsSpan(y * rowLength, rowLength);
            for (int x = 0; x < width; x++)
            {
                if (c == 1)
                {
                    float sum = 0;
                    for (int t = start[x]; t < start[x + 1]; t++) sum += row[offset[t]] * weight[t];
                    output[x] = sum;
                    continue;
                }
                float s0 = 0, s1 = 0, s2 = 0;
                for (int t = start[x]; t < start[x + 1]; t++)
                {
                    int b = offset[t];
                    float w = weight[t];
                    s0 += row[b] * w;
                    s1 += row[b + 1] * w;
                    s2 += row[b + 2] * w;
                }
                output[3 * x] = s0;
                output[3 * x + 1] = s1;
                output[3 * x + 2] = s2;
            }
        }
        var dst = new byte[rowLength * height];
        var line = new float[rowLength];
        int lanes = System.Numerics.Vector<float>.Count;
        for (int y = 0; y < height; y++)
        {
            Array.Clear(line);
            foreach (var (i, w) in ys[y])
            {
                var from = rows.AsSpan(i * rowLength, rowLength);
                var times = new System.Numerics.Vector<float>(w);
                int x = 0;
                for (; x <= rowLength - lanes; x += lanes)
                    (new System.Numerics.Vector<float>(line.AsSpan(x)) + new System.Numerics.Vector<float>(from[x..]) * times).CopyTo(line.AsSpan(x));
                for (; x < rowLength; x++) line[x] += from[x] * w;
            }
            for (int x = 0; x < rowLength; x++)
                dst[y * rowLength + x] = (byte)Math.Clamp((int)MathF.Round(line[x], MidpointRounding.ToEven), 0, 255);
        }
        return new PixelImage(width, height, c, dst);
    }
}
