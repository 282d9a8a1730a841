package dev.infero.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.infero.serve.RestCodec;

import java.util.Arrays;

/** Fuzzes the KServe v2 REST request decoding of the model server (JSON and the binary data extension). */
class RestCodecFuzzTest {
    @FuzzTest
    void fuzz(byte[] data) {
        // The first byte stands for the Inference-Header-Content-Length header: even, no header (JSON only); odd,
        // a header saying the JSON part ends (byte >> 1) bytes before the body's end, i.e. that many binary bytes follow;
        // 0xff, a header that is not a number.
        if (data.length == 0) {
            Fuzz.expectCleanRefusal(() -> RestCodec.parseRequest(data, null));
            return;
        }
        byte[] body = Arrays.copyOfRange(data, 1, data.length);
        int flag = data[0] & 0xff;
        String header = flag == 0xff ? "x" : (flag & 1) == 0 ? null : Integer.toString(body.length - (flag >>> 1));
        Fuzz.expectCleanRefusal(() -> RestCodec.parseRequest(body, header));
    }
}
