package dev.infero.cli.faces;

import dev.infero.vision.Detection;
import dev.infero.vision.Face;
import dev.infero.vision.FaceLandmarks;
import dev.infero.vision.RgbImage;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * Draws faces on a photo with Java2D: the detection box with its score, the six detector keypoints, the aligned
 * region (dashed) and the landmarks. Small photos are enlarged (long side at least {@value #MIN_SIDE} px) so the
 * 468 landmarks stay visible; several variants are drawn over each other, each in its colour, with a legend.
 */
final class FaceDrawing {
    static final int MIN_SIDE = 512;
    /** Colours of the first and second variant: green, then magenta (distinct for common colour blindness too). */
    static final Color[] COLORS = {new Color(0x00E676), new Color(0xFF2BD6), new Color(0x2979FF)};

    private FaceDrawing() {
    }

    /** One variant's faces to draw, with its legend label. */
    record Layer(String label, List<Face> faces) {
    }

    static BufferedImage draw(RgbImage photo, List<Layer> layers) {
        double scale = Math.max(1, (double) MIN_SIDE / Math.max(photo.width(), photo.height()));
        int w = (int) Math.round(photo.width() * scale);
        int h = (int) Math.round(photo.height() * scale);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(photo.toBufferedImage(), 0, 0, w, h, null);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            float unit = (float) Math.max(1, Math.max(w, h) / 512.0);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.round(12 * unit)));
            for (int i = 0; i < layers.size(); i++) {
                Color c = COLORS[i % COLORS.length];
                for (Face f : layers.get(i).faces()) {
                    face(g, f, scale, unit, c, i);
                }
            }
            if (layers.size() > 1) {
                legend(g, layers, unit);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void face(Graphics2D g, Face f, double s, float unit, Color c, int layer) {
        Detection d = f.detection();
        g.setColor(c);
        g.setStroke(new BasicStroke(2 * unit));
        g.draw(new Rectangle2D.Double(d.x() * s, d.y() * s, d.width() * s, d.height() * s));
        double[] corners = f.roi().corners();
        Path2D roi = new Path2D.Double();
        roi.moveTo(corners[0] * s, corners[1] * s);
        for (int k = 1; k < 4; k++) {
            roi.lineTo(corners[2 * k] * s, corners[2 * k + 1] * s);
        }
        roi.closePath();
        g.setStroke(new BasicStroke(unit, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                new float[] {4 * unit, 4 * unit}, 0));
        g.draw(roi);
        FaceLandmarks lm = f.landmarks();
        double r = 1.1 * unit;
        for (int i = 0; i < lm.count(); i++) {
            g.fill(new Ellipse2D.Double(lm.x(i) * s - r, lm.y(i) * s - r, 2 * r, 2 * r));
        }
        double kr = 3 * unit;
        g.setColor(Color.YELLOW);
        for (int k = 0; k < d.keypointCount(); k++) {
            g.fill(new Ellipse2D.Double(d.keypointX(k) * s - kr, d.keypointY(k) * s - kr, 2 * kr, 2 * kr));
        }
        String label = String.format(Locale.ROOT, "%.2f", d.score());
        int tw = g.getFontMetrics().stringWidth(label);
        int th = g.getFontMetrics().getAscent();
        double lx = d.x() * s + layer * (tw + 6 * unit);
        double ly = Math.max(th, d.y() * s - 3 * unit);
        g.setColor(new Color(0, 0, 0, 160));
        g.fill(new Rectangle2D.Double(lx, ly - th, tw + 4 * unit, th + 2 * unit));
        g.setColor(c);
        g.drawString(label, (float) (lx + 2 * unit), (float) ly);
    }

    private static void legend(Graphics2D g, List<Layer> layers, float unit) {
        int th = g.getFontMetrics().getAscent();
        float y = 4 * unit;
        for (int i = 0; i < layers.size(); i++) {
            String text = layers.get(i).label();
            int tw = g.getFontMetrics().stringWidth(text);
            g.setColor(new Color(0, 0, 0, 170));
            g.fill(new Rectangle2D.Double(4 * unit, y, tw + 20 * unit, th + 6 * unit));
            g.setColor(COLORS[i % COLORS.length]);
            g.fill(new Rectangle2D.Double(7 * unit, y + 3 * unit, 10 * unit, th));
            g.drawString(text, 20 * unit, y + th + 2 * unit);
            y += th + 8 * unit;
        }
    }
}
