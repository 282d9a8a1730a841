/** {@link dev.infero.serve.client.InferoClient}: a Java client for the KServe v2 REST protocol (java.net.http). */
package dev.infero.serve.client;
