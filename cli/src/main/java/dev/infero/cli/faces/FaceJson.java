package dev.infero.cli.faces;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infero.vision.Detection;
import dev.infero.vision.Face;
import dev.infero.vision.FaceLandmarks;
import dev.infero.vision.RgbImage;
import java.nio.file.Path;
import java.util.List;

/** The per-photo JSON: for each variant its faces (box, score, keypoints, region, landmarks), and their drift. */
final class FaceJson {
    private static final JsonMapper MAPPER = new JsonMapper();

    private FaceJson() {
    }

    static ObjectNode photo(Path photo, RgbImage image, List<FaceModels.Variant> variants, List<List<Face>> results,
                            FacesCommand.Run run) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("image", photo.toString());
        root.put("width", image.width());
        root.put("height", image.height());
        ArrayNode vs = root.putArray("variants");
        for (int v = 0; v < variants.size(); v++) {
            ObjectNode o = vs.addObject();
            o.put("precision", variants.get(v).precision());
            ArrayNode faces = o.putArray("faces");
            for (Face f : results.get(v)) {
                faces.add(face(f));
            }
        }
        if (variants.size() == 2) {
            List<Face> a = results.get(0);
            List<Face> b = results.get(1);
            List<int[]> pairs = FacesCommand.match(a, b);
            ArrayNode drift = root.putArray("landmark_drift");
            for (int[] p : pairs) {
                Face fa = a.get(p[0]);
                double d = fa.landmarks().meanDistance(b.get(p[1]).landmarks());
                double norm = d / Math.max(1e-6, fa.detection().width());
                run.distances.add(d);
                run.normalizedDistances.add(norm);
                drift.addObject().put("face", p[0]).put("compared_face", p[1]).put("mean_distance_px", d)
                        .put("mean_distance_per_box_width", norm);
            }
            run.unmatched += a.size() + b.size() - 2 * pairs.size();
        }
        return root;
    }

    private static ObjectNode face(Face f) {
        ObjectNode o = MAPPER.createObjectNode();
        Detection d = f.detection();
        o.put("score", d.score());
        o.putObject("box").put("x", d.x()).put("y", d.y()).put("width", d.width()).put("height", d.height());
        ArrayNode kp = o.putArray("keypoints");
        String[] names = {"right_eye", "left_eye", "nose_tip", "mouth_center", "right_ear_tragion",
            "left_ear_tragion"};
        for (int k = 0; k < d.keypointCount(); k++) {
            ObjectNode p = kp.addObject();
            if (k < names.length && d.keypointCount() == names.length) {
                p.put("name", names[k]);
            }
            p.put("x", d.keypointX(k)).put("y", d.keypointY(k));
        }
        o.putObject("region").put("center_x", f.roi().centerX()).put("center_y", f.roi().centerY())
                .put("width", f.roi().width()).put("height", f.roi().height())
                .put("rotation_degrees", Math.toDegrees(f.roi().rotation()));
        FaceLandmarks lm = f.landmarks();
        if (!Float.isNaN(lm.presence())) {
            o.put("presence", lm.presence());
        }
        ArrayNode pts = o.putArray("landmarks");
        for (int i = 0; i < lm.count(); i++) {
            pts.addArray().add(round(lm.x(i))).add(round(lm.y(i))).add(round(lm.z(i)));
        }
        return o;
    }

    /** Landmarks to 1/1000 px: the JSON stays readable and small. */
    private static double round(float v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
