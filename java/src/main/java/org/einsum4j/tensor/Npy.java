package org.einsum4j.tensor;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.einsum4j.Einsum4jException;

/**
 * Reads and writes numpy's {@code .npy} files (format versions 1.0 and 2.0), so test data and command-line
 * operands can come from numpy and results can go back to it.
 *
 * <p>Supported: little-endian {@code <f4} (FLOAT32), {@code <f8} (FLOAT64), {@code <f2} (FLOAT16) and {@code <i8} (INT64), C order,
 * any rank including 0-d and shapes with a zero size. Everything else (Fortran order, big-endian data, other
 * dtypes, object arrays) is rejected with an {@link Einsum4jException} naming the file and the header value,
 * rather than being read as garbage. Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy pads the header so the data starts at a multiple of this, for memory mapping. */
    private static final int ALIGN = 64;
    /** Elements moved per chunk between the stream and off-heap memory. */
    private static final int CHUNK = 1 << 16;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /**
     * Reads a {@code .npy} file into a new contiguous tensor owned by the caller. The file's size is checked
     * against the header before anything is allocated: a small file whose header claims gigabytes is refused.
     */
    public static Tensor read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), Files.size(file));
        } catch (IOException e) {
            throw new Einsum4jException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads one array from a stream (for instance a classpath resource); {@code source} names it in error
     * messages. The stream is left open. The stream's length is unknown, so the data is first read into heap
     * chunks as it arrives and the tensor allocated only once all of it is there: what is allocated never
     * exceeds what the stream holds.
     */
    public static Tensor read(InputStream stream, String source) {
        return read(stream, source, -1);
    }

    /** {@code size}: the file's size in bytes, or -1 when unknown (a stream). */
    private static Tensor read(InputStream stream, String source, long size) {
        DataInputStream in = new DataInputStream(new BufferedInputStream(stream, 1 << 16));
        try {
            Header h = readHeader(in, source);
            long need = dataBytes(h, source);
            if (size >= 0) {
                if (size - h.headerBytes() < need) {
                    throw new Einsum4jException(source + ": .npy data ends early: the header says shape "
                            + java.util.Arrays.toString(h.dims()) + " of " + h.dtype().npyDescr() + " (" + need
                            + " bytes) but the file holds " + Math.max(0, size - h.headerBytes())
                            + " bytes after the header");
                }
            } else {
                in = new DataInputStream(buffered(in, need, h, source));
            }
            Tensor t = Tensor.zeros(h.dtype, h.dims);
            try {
                readData(in, t, source);
            } catch (RuntimeException | IOException e) {
                t.close();
                throw e;
            }
            return t;
        } catch (EOFException e) {
            throw new Einsum4jException(source + ": not a valid .npy file (ends early)", e);
        } catch (IOException e) {
            throw new Einsum4jException("cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    /** The data's size in bytes from the header, refused when it cannot be a Java long. */
    private static long dataBytes(Header h, String source) {
        try {
            return Math.multiplyExact(Shape.numel(h.dims()), (long) h.dtype().byteSize());
        } catch (ArithmeticException | Einsum4jException e) {
            throw new Einsum4jException(source + ": the .npy shape " + java.util.Arrays.toString(h.dims())
                    + " has more bytes than any file can hold");
        }
    }

    /** Reads exactly {@code need} bytes into 1 MiB heap chunks, failing as soon as the stream ends early. */
    private static InputStream buffered(InputStream in, long need, Header h, String source) throws IOException {
        java.util.List<InputStream> chunks = new java.util.ArrayList<>();
        for (long got = 0; got < need; ) {
            int want = (int) Math.min(need - got, 1 << 20);
            byte[] chunk = in.readNBytes(want);
            if (chunk.length < want) {
                throw new Einsum4jException(source + ": .npy data ends early: the header says shape "
                        + java.util.Arrays.toString(h.dims()) + " of " + h.dtype().npyDescr() + " (" + need
                        + " bytes) but the stream ends after " + (got + chunk.length));
            }
            chunks.add(new java.io.ByteArrayInputStream(chunk));
            got += want;
        }
        return new java.io.SequenceInputStream(java.util.Collections.enumeration(chunks));
    }

    /** Writes the tensor (any layout; written in C order) as a {@code .npy} file, replacing the file. */
    public static void write(Tensor tensor, Path file) {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(tensor, out);
        } catch (IOException e) {
            throw new Einsum4jException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the tensor as a {@code .npy} stream (format 1.0, or 2.0 if the header needs it). */
    public static void write(Tensor tensor, OutputStream stream) throws IOException {
        if (tensor.dtype().npyDescr() == null) {
            throw new Einsum4jException("cannot write a " + tensor.dtype() + " tensor as .npy: numpy has no "
                    + tensor.dtype() + " dtype; convert it first, e.g. tensor.to(DType.FLOAT32)");
        }
        OutputStream out = new BufferedOutputStream(stream, 1 << 16);
        out.write(header(tensor.dtype(), tensor.shape()));
        // device memory and strided views are written from a contiguous host copy (explicit, owned here)
        try (Tensor c = !tensor.device().isHost() ? tensor.to(Device.CPU)
                : tensor.isContiguous() ? null : tensor.contiguous()) {
            writeData(c == null ? tensor : c, out);
        }
        out.flush();
    }

    /** The complete header (magic, version, length, padded dict) for an array of this dtype and shape. */
    static byte[] header(DType dtype, Shape shape) {
        String dict = "{'descr': '" + dtype.npyDescr() + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int preambleV1 = MAGIC.length + 2 + 2;
        int version = 1;
        int total = pad(preambleV1 + dict.length() + 1);
        if (total - preambleV1 > 0xFFFF) {
            version = 2;
            total = pad(MAGIC.length + 2 + 4 + dict.length() + 1);
        }
        int preamble = version == 1 ? preambleV1 : MAGIC.length + 2 + 4;
        int headerLen = total - preamble;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            b.putShort((short) headerLen);
        } else {
            b.putInt(headerLen);
        }
        b.put(dict.getBytes(StandardCharsets.US_ASCII));
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    private static int pad(int n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** {@code headerBytes}: magic, version, length and dict: where the data starts. */
    private record Header(DType dtype, int[] dims, long headerBytes) {
    }

    private static Header readHeader(DataInputStream in, String source) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        for (int i = 0; i < MAGIC.length; i++) {
            if (magic[i] != MAGIC[i]) {
                throw new Einsum4jException(source + ": not a .npy file (no \\x93NUMPY magic at the start)");
            }
        }
        int major = in.readUnsignedByte();
        int minor = in.readUnsignedByte();
        long len;
        if (major == 1) {
            len = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
        } else if (major == 2) {
            len = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
        } else {
            throw new Einsum4jException(source + ": .npy format version " + major + "." + minor
                    + " is not supported (only 1.0 and 2.0)");
        }
        if (len > (1 << 24)) {
            throw new Einsum4jException(source + ": .npy header length " + len + " is implausible");
        }
        byte[] hb = in.readNBytes((int) len); // grows as bytes arrive: a short file allocates little
        if (hb.length < len) {
            throw new EOFException();
        }
        String dict = new String(hb, StandardCharsets.ISO_8859_1).trim();
        Header h = parseHeader(dict, source);
        return new Header(h.dtype(), h.dims(), MAGIC.length + 2 + (major == 1 ? 2 : 4) + len);
    }

    private static Header parseHeader(String dict, String source) {
        Matcher d = DESCR.matcher(dict);
        Matcher f = FORTRAN.matcher(dict);
        Matcher s = SHAPE.matcher(dict);
        if (!d.find() || !f.find() || !s.find()) {
            throw new Einsum4jException(source + ": cannot parse the .npy header " + dict
                    + " (expected 'descr', 'fortran_order' and 'shape')");
        }
        String descr = d.group(1);
        DType dtype = dtypeOf(descr, source);
        if (f.group(1).equals("True")) {
            throw new Einsum4jException(source + ": fortran_order True is not supported (descr '" + descr
                    + "'); save a C-ordered array, e.g. numpy.save(f, numpy.ascontiguousarray(a))");
        }
        String[] parts = s.group(1).split(",");
        int n = 0;
        int[] dims = new int[parts.length];
        for (String p : parts) {
            String t = p.trim();
            if (t.isEmpty()) {
                continue;
            }
            // numpy may write sizes as e.g. "3L" (Python 2 files)
            if (t.endsWith("L")) {
                t = t.substring(0, t.length() - 1);
            }
            long v;
            try {
                v = Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new Einsum4jException(source + ": bad size '" + t + "' in the .npy shape (" + s.group(1) + ")");
            }
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new Einsum4jException(source + ": size " + v + " in the .npy shape (" + s.group(1)
                        + ") is out of range (0 to " + Integer.MAX_VALUE + ")");
            }
            dims[n++] = (int) v;
        }
        return new Header(dtype, java.util.Arrays.copyOf(dims, n), 0);
    }

    private static DType dtypeOf(String descr, String source) {
        for (DType t : DType.values()) {
            if (descr.equals(t.npyDescr())) {
                return t;
            }
        }
        if (descr.startsWith(">")) {
            throw new Einsum4jException(source + ": big-endian dtype '" + descr
                    + "' is not supported (only little-endian '<f4', '<f8', '<f2', '<i8')");
        }
        throw new Einsum4jException(source + ": dtype '" + descr
                + "' is not supported (only '<f4' float32, '<f8' float64, '<f2' float16, '<i8' int64)");
    }

    private static void readData(DataInputStream in, Tensor t, String source) throws IOException {
        long n = t.numel();
        if (n == 0) {
            return;
        }
        int es = t.dtype().byteSize();
        HostStorage host = t.host();
        long base = t.offset() * es;
        byte[] bytes = new byte[(int) Math.min(n, CHUNK) * es];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (long done = 0; done < n; ) {
            int k = (int) Math.min(n - done, CHUNK);
            try {
                in.readFully(bytes, 0, k * es);
            } catch (EOFException e) {
                throw new Einsum4jException(source + ": .npy data ends early: the header says " + n
                        + " elements of " + t.dtype().npyDescr() + ", shape " + t.shape(), e);
            }
            long a = base + done * es;
            buf.clear();
            switch (t.dtype()) {
                case FLOAT32: {
                    float[] v = new float[k];
                    buf.asFloatBuffer().get(v);
                    host.write(v, 0, a, k);
                    break;
                }
                case FLOAT64: {
                    double[] v = new double[k];
                    buf.asDoubleBuffer().get(v);
                    host.write(v, 0, a, k);
                    break;
                }
                case FLOAT16:
                case BFLOAT16: {
                    short[] v = new short[k];
                    buf.asShortBuffer().get(v);
                    host.write(v, 0, a, k);
                    break;
                }
                default: {
                    long[] v = new long[k];
                    buf.asLongBuffer().get(v);
                    host.write(v, 0, a, k);
                }
            }
            done += k;
        }
    }

    private static void writeData(Tensor t, OutputStream out) throws IOException {
        long n = t.numel();
        if (n == 0) {
            return;
        }
        int es = t.dtype().byteSize();
        HostStorage host = t.host();
        long base = t.offset() * es;
        byte[] bytes = new byte[(int) Math.min(n, CHUNK) * es];
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (long done = 0; done < n; ) {
            int k = (int) Math.min(n - done, CHUNK);
            long a = base + done * es;
            buf.clear();
            switch (t.dtype()) {
                case FLOAT32: {
                    float[] v = new float[k];
                    host.read(a, v, 0, k);
                    buf.asFloatBuffer().put(v);
                    break;
                }
                case FLOAT64: {
                    double[] v = new double[k];
                    host.read(a, v, 0, k);
                    buf.asDoubleBuffer().put(v);
                    break;
                }
                case FLOAT16:
                case BFLOAT16: {
                    short[] v = new short[k];
                    host.read(a, v, 0, k);
                    buf.asShortBuffer().put(v);
                    break;
                }
                default: {
                    long[] v = new long[k];
                    host.read(a, v, 0, k);
                    buf.asLongBuffer().put(v);
                }
            }
            out.write(bytes, 0, k * es);
            done += k;
        }
    }
}
