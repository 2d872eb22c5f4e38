package org.einsum4j;

/** A backend that cannot run here: no driver, no device, or not built. The message says why. */
public class BackendUnavailableException extends Einsum4jException {
    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
