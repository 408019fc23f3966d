import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.util.Arrays;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * What lz4-java (the LZ4 library Kafka's producer and consumer use) makes of LZ4 blocks:
 *   Lz4Blocks <inputs> <blocks> <out>
 * where <inputs> and <blocks> hold length-prefixed byte strings (4-byte big-endian lengths), the
 * i-th block being another encoder's compression of the i-th input. For each pair, <out> gets
 * lz4-java's compression of the input (its JNI build of the reference encoder, as Kafka's
 * KafkaLZ4BlockOutputStream uses through LZ4Factory.fastestInstance()) and whether lz4-java's
 * safe decompressor restores the input from the given block. Prints the compressor's class.
 */
public class Lz4Blocks {
  public static void main(String[] args) throws Exception {
    LZ4Factory factory = LZ4Factory.fastestInstance();
    LZ4Compressor compressor = factory.fastCompressor();
    LZ4SafeDecompressor decompressor = factory.safeDecompressor();
    try (DataInputStream inputs = new DataInputStream(new FileInputStream(args[0]));
        DataInputStream blocks = new DataInputStream(new FileInputStream(args[1]));
        DataOutputStream out = new DataOutputStream(new FileOutputStream(args[2]))) {
      while (inputs.available() > 0) {
        byte[] input = new byte[inputs.readInt()];
        inputs.readFully(input);
        byte[] block = new byte[blocks.readInt()];
        blocks.readFully(block);
        byte[] compressed = compressor.compress(input);
        out.writeInt(compressed.length);
        out.write(compressed);
        boolean restores;
        try {
          byte[] restored = new byte[input.length];
          restores = decompressor.decompress(block, 0, block.length, restored, 0) == input.length
              && Arrays.equals(restored, input);
        } catch (RuntimeException e) {
          restores = false;
        }
        out.writeBoolean(restores);
      }
    }
    System.out.println(compressor.getClass().getName());
  }
}
