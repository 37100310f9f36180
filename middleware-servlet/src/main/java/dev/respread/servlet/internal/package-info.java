/** Per-container connection tracking and drains. Not a public API. */
package dev.respread.servlet.internal;
