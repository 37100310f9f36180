/** Internals of the load views; not an API. */
package dev.respread.kubernetes.internal;
