// Writes the corpus's large benchmark table offline with Cassandra's CQLSSTableWriter
// (scripts/corpus --bench): millions of rows in minutes, without a running node.
//
// usage: CorpusBenchWriter OUTDIR ROWS ROWS_PER_PARTITION PAYLOAD_BYTES FORMAT [one]
//   OUTDIR   receives the SSTables (directory named like a table directory: .../<ks>/<table>)
//   FORMAT   big (oa) | bti (da) | nb (big in Cassandra 4.x's format)
//   one      one SSTable of any size: partitions are added in token order and streamed to disk
//            (the default buffers 256 MiB and flushes an SSTable each time); same rows, other values
// Rows: pk bigint (partition), ck int (clustering), name text, value double, payload blob;
// each row has its own write timestamp and every tenth row a TTL of ten years. Values come
// from a seeded generator, so the same arguments give the same rows.

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;

import org.apache.cassandra.config.DatabaseDescriptor;
import org.apache.cassandra.dht.Murmur3Partitioner;
import org.apache.cassandra.io.sstable.CQLSSTableWriter;
import org.apache.cassandra.io.sstable.format.SSTableFormat;
import org.apache.cassandra.io.sstable.format.big.BigFormat;
import org.apache.cassandra.utils.ByteBufferUtil;
import org.apache.cassandra.utils.StorageCompatibilityMode;

public final class CorpusBenchWriter
{
    static final String KEYSPACE = "corpus_bench";
    static final String TABLE = "events";
    static final String SCHEMA = "CREATE TABLE " + KEYSPACE + "." + TABLE + " (pk bigint, ck int, name text, "
                                 + "value double, payload blob, PRIMARY KEY (pk, ck)) "
                                 + "WITH compression = {'class': 'LZ4Compressor'}";
    static final String INSERT = "INSERT INTO " + KEYSPACE + "." + TABLE + " (pk, ck, name, value, payload) "
                                 + "VALUES (?, ?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?";
    static final int TEN_YEARS = 315360000;

    public static void main(String[] args) throws Exception
    {
        if (args.length != 5 && !(args.length == 6 && args[5].equals("one")))
        {
            System.err.println("usage: CorpusBenchWriter OUTDIR ROWS ROWS_PER_PARTITION PAYLOAD_BYTES big|bti|nb [one]");
            System.exit(2);
        }
        String out = args[0];
        long rows = Long.parseLong(args[1]);
        int perPartition = Integer.parseInt(args[2]);
        int payloadBytes = Integer.parseInt(args[3]);
        // Loading CQLSSTableWriter initializes Cassandra's client mode, which registers the formats.
        CQLSSTableWriter.Builder builder = CQLSSTableWriter.builder();
        boolean nb = args[4].equals("nb");
        SSTableFormat<?, ?> format = DatabaseDescriptor.getSSTableFormats().get(nb ? "big" : args[4]);
        if (format == null)
            throw new IllegalArgumentException("unknown SSTable format " + args[4]);
        if (nb)
            writeNb();
        boolean one = args.length == 6;
        new java.io.File(out).mkdirs();
        builder.inDirectory(out).forTable(SCHEMA).using(INSERT).withFormat(format);
        CQLSSTableWriter writer = (one ? builder.sorted() : builder.withBufferSizeInMiB(256)).build();
        SplittableRandom random = new SplittableRandom(20260101L);
        long baseMicros = 1_700_000_000_000_000L;
        long start = System.nanoTime();
        int partitions = (int) ((rows + perPartition - 1) / perPartition);
        Integer[] order = new Integer[partitions];
        for (int p = 0; p < partitions; p++)
            order[p] = p;
        if (one)
        {
            long[] tokens = new long[partitions];
            for (int p = 0; p < partitions; p++)
                tokens[p] = Murmur3Partitioner.instance.getToken(ByteBufferUtil.bytes(pkValue(p))).getLongValue();
            Arrays.sort(order, Comparator.comparingLong(p -> tokens[p]));
        }
        long written = 0;
        for (int p : order)
        {
            for (long i = (long) p * perPartition; i < Math.min(rows, (long) (p + 1) * perPartition); i++)
            {
                int ck = (int) (i % perPartition);
                byte[] payload = new byte[payloadBytes];
                random.nextBytes(payload);
                writer.addRow(pkValue(p), ck, "event-" + i, random.nextDouble() * 1e6,
                              ByteBuffer.wrap(payload), baseMicros + i, i % 10 == 0 ? TEN_YEARS : 0);
                if (++written % 1_000_000 == 0)
                    System.out.printf("%d rows, %.0f s%n", written, (System.nanoTime() - start) / 1e9);
            }
        }
        writer.close();
        System.out.printf("wrote %d rows in %.0f s%n", rows, (System.nanoTime() - start) / 1e9);
        System.exit(0);
    }

    static long pkValue(long partition)
    {
        return partition * 0x9E3779B97F4A7C15L;
    }

    // Client mode always writes the newest big version (oa): storage_compatibility_mode is
    // forced to NONE and BigFormat fixes its version when it is registered. For nb, set both
    // back to what a node in CASSANDRA_4 mode uses (32-bit signed local deletion times).
    private static void writeNb() throws ReflectiveOperationException
    {
        java.lang.reflect.Field mode = DatabaseDescriptor.class.getDeclaredField("storageCompatibilityMode");
        mode.setAccessible(true);
        mode.set(null, StorageCompatibilityMode.CASSANDRA_4);
        BigFormat big = BigFormat.getInstance();
        java.lang.reflect.Field latest = BigFormat.class.getDeclaredField("latestVersion");
        latest.setAccessible(true);
        latest.set(big, big.getVersion("nb"));
    }
}
