/* A JSON document as a yajl tree (struct yajl_val_s, so that yajl_tree.h's
 * accessors and the jr_* readers work on it) built in one arena: every
 * node, string and array of the document in a few large blocks, released
 * at once by json_tree_free().  yajl_tree_parse, which it replaces for the
 * documents tinyrun reads on every command, made one malloc per node and
 * string and freed them one by one: half of the time of a parse.
 *
 * The values are those yajl_tree_parse gives: the same node types, keys in
 * document order (duplicates kept), numbers with the raw text in
 * u.number.r and the same YAJL_NUMBER_*_VALID rules; comments allowed, as
 * yajl_tree_parse allows them. */
#ifndef TINYRUN_JSON_TREE_H
#define TINYRUN_JSON_TREE_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

/* The tree of text[0..len), or NULL with yajl's message in errbuf (an
 * empty one when memory ran out). */
yajl_val json_tree_parse (const char *text, size_t len, char *errbuf, size_t errbuf_size);

/* Everything json_tree_parse allocated for the tree whose root this is
 * (NULL is fine).  Never yajl_tree_free() on such a tree, nor on a node
 * of it. */
void json_tree_free (yajl_val root);

#endif
