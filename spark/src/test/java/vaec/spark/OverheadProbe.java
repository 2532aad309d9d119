package vaec.spark;

import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Not a test: measures, in Spark local mode, what a synchronous step costs besides the gradient
 * itself: an empty tree aggregation (scheduling latency), and the broadcast of a parameter
 * vector plus the tree aggregation of gradient-sized float arrays with no compute. For the
 * README's throughput model. Run from the project root after {@code mvn -B -q -DskipTests
 * test-compile -pl spark -am}:
 * <pre>java $(opens) -cp spark/target/test-classes:spark/target/classes:$(cat spark/target/classpath.txt) \
 *     vaec.spark.OverheadProbe local[2] 2 652824</pre>
 */
public final class OverheadProbe {
  public static void main(String[] args) {
    String master = args.length > 0 ? args[0] : "local[2]";
    int parts = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int size = args.length > 2 ? Integer.parseInt(args[2]) : 652_824;
    JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster(master).setAppName("probe").set("spark.ui.enabled", "false"));
    sc.setLogLevel("ERROR");
    JavaRDD<Integer> rdd = sc.parallelize(java.util.stream.IntStream.range(0, parts).boxed().toList(), parts);
    int reps = 40;
    for (int round = 0; round < 2; round++) {   // the first round warms up
      long t0 = System.nanoTime();
      for (int i = 0; i < reps; i++) rdd.treeAggregate(0, (a, p) -> a + p, Integer::sum, 2);
      double empty = (System.nanoTime() - t0) / 1e6 / reps;
      float[] params = new float[size];
      t0 = System.nanoTime();
      for (int i = 0; i < reps; i++) {
        Broadcast<float[]> b = sc.broadcast(params);
        rdd.treeAggregate(new float[0], (a, p) -> b.value().clone(), (x, y) -> {
          if (x.length == 0) return y;
          if (y.length == 0) return x;
          float[] z = x.clone();
          for (int j = 0; j < z.length; j++) z[j] += y[j];
          return z;
        }, 2);
        b.destroy();
      }
      double full = (System.nanoTime() - t0) / 1e6 / reps;
      if (round == 1) System.out.printf(Locale.ROOT, "%s, %d partitions, %d floats: empty tree aggregation %.1f ms; broadcast + aggregation of the vector %.1f ms%n",
          master, parts, size, empty, full);
    }
    sc.stop();
  }
}
