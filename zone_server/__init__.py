"""The zone server: where schools, LAs, the DfE and services exchange SIF data.

Public pieces, each in its own module (nothing is imported here, so loading the ``sif`` plugin
stays quick):

- :mod:`zone_server.config`: ``load_zone_file(path) -> ZoneFile``, the validated zone file.
- :mod:`zone_server.app`: ``create_app(zone_file, store)``, the Starlette application.
- :mod:`zone_server.serving`: ``open_store(zone_file)`` (through the storage-backend hook) and
  ``serve(zone_file, host=, port=)``.
- :mod:`zone_server.store`: the ``Store`` interface every backend implements;
  :mod:`zone_server.store.sqlite` is the default backend.
- :mod:`zone_server.acl`: ``AccessPolicy`` (rights, scope, profiles);
  :mod:`zone_server.publishing`: ``publish(...)``, one batch in one transaction.
- :mod:`zone_server.auth`: ``hmac_authorization(party, token, timestamp)`` for clients.
"""
