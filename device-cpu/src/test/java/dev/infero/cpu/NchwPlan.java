package dev.infero.cpu;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For test classes that check the NCHW plan's kernels and fusions, which the blocked layout ({@code cpu.blocked})
 * replaces where it runs: {@code @ExtendWith(NchwPlan.class)} switches the blocked layout off for the class
 * ({@code infero.cpu.blocked=off}) and on again after it.
 */
public final class NchwPlan implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        System.setProperty("infero.cpu.blocked", "off");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        System.clearProperty("infero.cpu.blocked");
    }
}
