// sstabledump for many SSTables in one JVM (scripts/sstabledump-batch).
//
// Cassandra's own tool (org.apache.cassandra.tools.SSTableExport) ends its main with
// System.exit, so it cannot be called in a loop; starting one JVM per SSTable costs about
// two seconds each. This class drives the same public pieces that tool is built from
// (tools.Util.metadataFromSSTable, SSTableReader.openNoValidation, tools.JsonTransformer),
// so its JSON is the same as sstabledump's for the same options.
//
// usage: SSTableExportBatch [-t] [-l] OUTDIR DATA.db...
//   -t      raw timestamps (microseconds) instead of ISO-8601 strings, like sstabledump -t
//   -l      one JSON object per partition per line, like sstabledump -l
//   OUTDIR  where to write <sstable-prefix>.json (e.g. nb-1-big.json); "-" writes each file
//           beside its SSTable
// Exit status 0 when every file was exported; 1 when any failed (each failure is named on
// stderr and the others are still exported).

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.cassandra.config.DatabaseDescriptor;
import org.apache.cassandra.io.sstable.Descriptor;
import org.apache.cassandra.io.sstable.ISSTableScanner;
import org.apache.cassandra.io.sstable.format.SSTableReader;
import org.apache.cassandra.io.util.File;
import org.apache.cassandra.schema.TableMetadata;
import org.apache.cassandra.schema.TableMetadataRef;
import org.apache.cassandra.tools.JsonTransformer;
import org.apache.cassandra.tools.Util;

public final class SSTableExportBatch
{
    private static final String DATA_SUFFIX = "-Data.db";

    public static void main(String[] args) throws Exception
    {
        boolean rawTimestamps = false;
        boolean jsonLines = false;
        List<String> rest = new ArrayList<>();
        for (String arg : args)
        {
            switch (arg)
            {
                case "-t": rawTimestamps = true; break;
                case "-l": jsonLines = true; break;
                default: rest.add(arg);
            }
        }
        if (rest.size() < 2)
        {
            System.err.println("usage: sstabledump-batch [-t] [-l] OUTDIR|- DATA.db...");
            System.exit(2);
        }
        DatabaseDescriptor.toolInitialization();
        String outDir = rest.get(0);
        int failed = 0;
        Set<Path> written = new HashSet<>();
        long started = System.nanoTime();
        for (String input : rest.subList(1, rest.size()))
        {
            Path in = Paths.get(input).toAbsolutePath();
            String name = in.getFileName().toString();
            if (!name.endsWith(DATA_SUFFIX))
            {
                System.err.println("FAILED " + input + ": not a -Data.db file");
                failed++;
                continue;
            }
            String prefix = name.substring(0, name.length() - DATA_SUFFIX.length());
            Path out = ("-".equals(outDir) ? in.getParent() : Paths.get(outDir)).resolve(prefix + ".json");
            if (!written.add(out))
            {
                // Two tables both have e.g. oa-1-big: say so rather than overwrite.
                System.err.println("FAILED " + input + ": " + out + " was already written by another input of this run; use OUTDIR - to write beside each SSTable");
                failed++;
                continue;
            }
            try
            {
                export(in, out, rawTimestamps, jsonLines);
            }
            catch (Throwable t)
            {
                // One bad SSTable must not hide the others: report it and go on.
                System.err.println("FAILED " + input + ": " + t);
                Files.deleteIfExists(out);
                failed++;
            }
        }
        System.err.printf("sstabledump-batch: %d exported, %d failed, %.1f s%n",
                          rest.size() - 1 - failed, failed, (System.nanoTime() - started) / 1e9);
        System.exit(failed == 0 ? 0 : 1);
    }

    private static void export(Path in, Path out, boolean rawTimestamps, boolean jsonLines) throws Exception
    {
        Descriptor desc = Descriptor.fromFileWithComponent(new File(in.toString()), false).left;
        TableMetadata metadata = Util.metadataFromSSTable(desc);
        SSTableReader reader = SSTableReader.openNoValidation(null, desc, TableMetadataRef.forOfflineTools(metadata));
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (ISSTableScanner scanner = reader.getScanner();
             OutputStream os = new BufferedOutputStream(new FileOutputStream(tmp.toFile()), 1 << 16))
        {
            if (jsonLines)
                JsonTransformer.toJsonLines(scanner, Util.iterToStream(scanner), rawTimestamps, metadata, os);
            else
                JsonTransformer.toJson(scanner, Util.iterToStream(scanner), rawTimestamps, metadata, os);
            os.flush();
        }
        finally
        {
            // Release the reader's files now: a batch may open thousands of SSTables.
            reader.selfRef().release();
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
