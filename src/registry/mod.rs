//! Which network issued a code: networks, prefixes, hosts and GUIDs as data, extensible at runtime.
