/**
 * Set beside DOCKER_HOST, to the setting's name, by a front end that took the address from a
 * setting of its own (the extension's parity.docker.host): the Docker target's messages then say
 * where the user put the address, not name a variable they never set. Here, not in the target, so
 * that the extension's host writes it without loading the Docker connection.
 */
export const DOCKER_HOST_SETTING = "PARITY_DOCKER_HOST_SETTING";
