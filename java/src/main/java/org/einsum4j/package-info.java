/**
 * The facade and the device-neutral contracts: {@link org.einsum4j.Einsum} (contract, expression, path),
 * {@link org.einsum4j.ContractExpression}, {@link org.einsum4j.ContractOptions}, the exception hierarchy, and
 * {@link org.einsum4j.Backend} with its {@link org.einsum4j.BackendProvider} registry (ServiceLoader, keyed by
 * device type). May use {@code tensor}, {@code spec}, {@code path}, {@code plan} and the {@code gradsample}
 * kernel interface; never an implementation package such as {@code cpu} (backends are found, not named).
 */
package org.einsum4j;
