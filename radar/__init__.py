"""Radar's shared core: settings, configuration files and the exception tree.

Every layer (``indexing`` → ``queries`` → ``flows``) may import from here; this
package imports from none of them.
"""

__version__ = "0.1.0"
