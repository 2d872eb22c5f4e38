package org.einsum4j.cuda;

import org.einsum4j.Einsum4jException;

/** A CUDA driver, cuBLAS or launch error: the message names the call and the status the device returned. */
public class CudaException extends Einsum4jException {
    public CudaException(String message) {
        super(message);
    }

    public CudaException(String message, Throwable cause) {
        super(message, cause);
    }
}
