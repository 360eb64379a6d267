/**
 * The users file: who may connect, log in and acknowledge, with which role and scope. One file for
 * the embedded broker, Mosquitto (exported to its password and ACL files), the bridge, the
 * emergency job's check of acknowledgements and the console's login.
 */
package io.citybrain.users;
