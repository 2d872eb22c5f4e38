package org.einsum4j.nn;

import org.einsum4j.Einsum4jException;

/**
 * Bad input to a module, a loss, the data pipeline or an optimizer: shapes a model does not accept, rates and
 * multiplicities out of range, privacy targets that cannot be reached. Thrown before any work is done; the message
 * names the module or option and the values.
 */
public class NnException extends Einsum4jException {
    public NnException(String message) {
        super(message);
    }
}
