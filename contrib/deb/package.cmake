# The .deb: `cpack -G DEB` in the build directory (tests/deploy/deb-install.sh builds and
# installs it). The binary goes to /usr/bin (sidecar/CMakeLists.txt), the unit to
# /lib/systemd/system, the example config to /etc/peerscout/sidecar.toml as a conffile, so an
# upgrade never overwrites what the admin changed.
# cpack and `cmake --install` take what is built (tests/deploy/deb-install.sh builds the binary
# first) instead of building every test binary too.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
install(FILES ${PROJECT_SOURCE_DIR}/contrib/systemd/peerscout.service
  DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/sidecar.toml.example
  DESTINATION /etc/peerscout RENAME sidecar.toml)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/peerscout)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME peerscout)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "peerscout maintainers <peerscout@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "one deduplicated peer list from mDNS, the tailnet, Headscale and static lists")
set(CPACK_PACKAGE_DESCRIPTION
  "peerscout merges an app's peers from mDNS (DNS-SD and libp2p), tailscaled, Headscale and\n\
static lists into one list, and publishes it over an HTTP API on a Unix socket, in files and\n\
in the environment of `peerscout exec`, so that apps find each other unmodified.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The runtime libraries come from dpkg-shlibdeps (dpkg-dev), never from a list kept by hand.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The mdns source's DNS-SD half talks to avahi-daemon; the tailscale source to tailscaled.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "avahi-daemon")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "tailscale")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_LIST_DIR}/conffiles ${CMAKE_CURRENT_LIST_DIR}/postinst
  ${CMAKE_CURRENT_LIST_DIR}/prerm ${CMAKE_CURRENT_LIST_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
