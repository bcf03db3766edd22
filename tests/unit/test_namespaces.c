/* The namespace plan: which namespaces clone creates, which are joined,
 * and when an intermediate process is needed. */
#include "unit.h"
#include "linux/namespaces.h"

#include <sched.h>

static struct spec *
parse (const char *linux_json)
{
  char doc[2048];
  snprintf (doc, sizeof doc, "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"linux\": %s}", linux_json);
  tr_error_t err = NULL;
  struct spec *s = spec_parse (doc, strlen (doc), &err);
  if (err)
    fprintf (stderr, "  %s\n", err->msg);
  tr_error_free (&err);
  return s;
}

TEST (plan_all_new)
{
  struct spec *s = parse ("{\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"mount\"},"
                          "{\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"cgroup\"}]}");
  struct ns_plan plan;
  tr_error_t err = NULL;
  CHECK (ns_plan_build (s, &plan, &err) == 0);
  CHECK (plan.new_flags == (CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS));
  CHECK (plan.new_pid && plan.cgroup_ns && !plan.new_user && !plan.new_time);
  CHECK (!plan.intermediate && plan.n_join == 0);
  spec_free (s);
}

TEST (plan_join_without_userns_is_direct)
{
  struct spec *s = parse ("{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"network\", \"path\": \"/n\"},"
                          "{\"type\": \"pid\", \"path\": \"/p\"}]}");
  struct ns_plan plan;
  tr_error_t err = NULL;
  CHECK (ns_plan_build (s, &plan, &err) == 0);
  CHECK (!plan.intermediate && !plan.new_pid);
  CHECK (plan.n_join == 2 && plan.new_flags == CLONE_NEWNS);
  spec_free (s);
}

TEST (plan_new_userns_with_join_needs_intermediate)
{
  struct spec *s = parse ("{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}, {\"type\": \"network\","
                          "\"path\": \"/n\"}], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
                          "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}");
  struct ns_plan plan;
  tr_error_t err = NULL;
  CHECK (ns_plan_build (s, &plan, &err) == 0);
  CHECK (plan.intermediate && plan.new_user);
  CHECK (plan.new_flags & CLONE_NEWUSER);
  spec_free (s);
}

TEST (plan_joined_userns_first)
{
  struct spec *s = parse ("{\"namespaces\": [{\"type\": \"network\", \"path\": \"/n\"}, {\"type\": \"mount\"},"
                          "{\"type\": \"user\", \"path\": \"/u\"}]}");
  struct ns_plan plan;
  tr_error_t err = NULL;
  CHECK (ns_plan_build (s, &plan, &err) == 0);
  CHECK (plan.intermediate && !plan.new_user);
  CHECK (plan.n_join == 2 && plan.join[0]->type == NS_USER && plan.join[1]->type == NS_NETWORK);
  spec_free (s);
}

TEST (plan_errors)
{
  struct ns_plan plan;
  tr_error_t err = NULL;
  struct spec *s = parse ("{\"namespaces\": [{\"type\": \"user\"}, {\"type\": \"mount\"}]}");
  CHECK (ns_plan_build (s, &plan, &err) < 0);
  CHECK_ERR (err, "linux.uidMappings: required with a new user namespace");
  spec_free (s);
  s = parse ("{\"namespaces\": [{\"type\": \"mount\"}], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1,"
             "\"size\": 1}]}");
  CHECK (ns_plan_build (s, &plan, &err) < 0);
  CHECK_ERR (err, "need a new user namespace");
  spec_free (s);
  s = parse ("{\"namespaces\": [{\"type\": \"mount\"}], \"timeOffsets\": {\"boottime\": {\"secs\": 1}}}");
  CHECK (ns_plan_build (s, &plan, &err) < 0);
  CHECK_ERR (err, "linux.timeOffsets: offsets need a new time namespace");
  spec_free (s);
  tr_error_free (&err);
}

TEST (plan_time_namespace)
{
  struct spec *s = parse ("{\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"time\"}],"
                          "\"timeOffsets\": {\"monotonic\": {\"secs\": 100}}}");
  struct ns_plan plan;
  tr_error_t err = NULL;
  CHECK (ns_plan_build (s, &plan, &err) == 0);
  CHECK (plan.new_time && !(plan.new_flags & 0x80));
  spec_free (s);
}
