// The precompiled header that every test executable reuses is built with this source.
