/**
 * Connection recycling for grpc-java servers on grpc-netty. Wire it with
 * {@link dev.respread.grpc.GrpcRecycling#configure}; for grpc-netty-shaded use the class of the
 * same name in {@code dev.respread.grpc.shaded}, which the build generates from this one.
 */
package dev.respread.grpc;
