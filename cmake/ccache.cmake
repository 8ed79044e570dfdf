# ccache and the precompiled test headers (tests/CMakeLists.txt). ccache caches a file compiled
# with a precompiled header only when it may ignore the macros and timestamps that such a file
# always differs in (its manual's "Precompiled headers"): the launcher tells it so itself, so
# that any `cmake --build` gets the hits scripts/build.sh gets. include_file_mtime and
# include_file_ctime: the .gch is written just before the files that use it compile, which
# ccache would otherwise take for a header changed under it and not cache.
if(CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache$")
  set(CMAKE_CXX_COMPILER_LAUNCHER env
    CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
    ${CMAKE_CXX_COMPILER_LAUNCHER})
endif()
