package io.smsgw.devkit;

import io.smsgw.bootstrap.Role;

import java.util.EnumSet;
import java.util.Set;

/** What a dev-kit pod runs: the service's roles, and the provider simulator beside them. */
public enum DevRole {
  GATEWAY, WORKER, PROVIDER_SIM;

  /** The service's part of a set of dev roles. */
  public static Set<Role> serviceRoles(Set<DevRole> roles) {
    Set<Role> service = EnumSet.noneOf(Role.class);
    if (roles.contains(GATEWAY)) service.add(Role.GATEWAY);
    if (roles.contains(WORKER)) service.add(Role.WORKER);
    return service;
  }
}
