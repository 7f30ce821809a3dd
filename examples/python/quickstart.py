#!/usr/bin/env python3
"""A first integration with ratingd in Python (Debian's python3-grpcio).

It records a review, reads a rating with its explanation, reads a refusal's
google.rpc.ErrorInfo (AIP-193), and follows the log with Subscribe, resuming from a
checkpoint. Environment: RATINGD_ADDRESS (host:port), RATINGD_TOKEN (a bearer token
with the admin role), RATING_PROTO_DIR (the repository's proto/ directory). The stubs
are generated into a temporary directory when it starts (generate_stubs).

Exits 0 when every step behaved as documented (docs/INTEGRATING.md), 1 otherwise.
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import uuid


def generate_stubs(proto_dir, out_dir):
    """Generates the Python stubs of the API and of google.rpc into out_dir.

    With Debian's protoc and grpc_python_plugin (protobuf-compiler, protobuf-compiler-grpc:
    the compiler the server is built with) when present, else with grpc_tools' own protoc.
    """
    protos = sorted(glob.glob(os.path.join(proto_dir, "rating/v1/*.proto")) +
                    glob.glob(os.path.join(proto_dir, "google/rpc/*.proto")))
    common = ["-I" + proto_dir, "-I/usr/include", "--python_out=" + out_dir,
              "--grpc_python_out=" + out_dir]
    plugin = shutil.which("grpc_python_plugin")
    if shutil.which("protoc") and plugin:
        subprocess.check_call(["protoc", "--plugin=protoc-gen-grpc_python=" + plugin] +
                              common + protos)
    else:
        from grpc_tools import protoc
        if protoc.main(["protoc"] + common + protos) != 0:
            raise RuntimeError("grpc_tools.protoc failed")
    # "google" stays a namespace package: google.protobuf comes from python3-protobuf.
    for package in ("rating", "rating/v1"):
        open(os.path.join(out_dir, package, "__init__.py"), "a").close()


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print("ok:", what)


def main():
    address = os.environ["RATINGD_ADDRESS"]
    token = os.environ["RATINGD_TOKEN"]
    stubs = tempfile.mkdtemp(prefix="rating_stubs_")
    generate_stubs(os.environ["RATING_PROTO_DIR"], stubs)
    sys.path.insert(0, stubs)

    import grpc
    from google.rpc import error_details_pb2, status_pb2
    from rating.v1 import api_pb2, api_pb2_grpc, domain_pb2

    channel = grpc.insecure_channel(address)
    registry = api_pb2_grpc.RegistryServiceStub(channel)
    review = api_pb2_grpc.ReviewServiceStub(channel)
    decision = api_pb2_grpc.DecisionServiceStub(channel)
    query = api_pb2_grpc.QueryServiceStub(channel)
    integration = api_pb2_grpc.IntegrationServiceStub(channel)

    def metadata(request_id=None):
        md = [("authorization", "Bearer " + token)]
        # Idempotency: a retry with the same x-request-id returns the first reply.
        md.append(("x-request-id", request_id or str(uuid.uuid4())))
        return md

    # A period, a grassroots cell and one member.
    registry.OpenPeriod(domain_pb2.PeriodSpec(year=2025), metadata=metadata())
    registry.RegisterOrg(domain_pb2.OrgSpec(id="c1", kind=domain_pb2.ORG_KIND_GRASSROOTS_CELL,
                                            parent="bloc", founded_on="2010-01-01", name="Chi bộ 1"),
                         metadata=metadata())
    registry.EnrollMember(domain_pb2.MemberSpec(id="m1", org="c1", admitted_on="2015-03-01",
                                                name="Nguyễn Văn A"),
                          metadata=metadata())

    # 1. Record a review (retried once with the same request id: replayed, nothing new).
    key = str(uuid.uuid4())
    first = review.RecordReviewCompleted(
        domain_pb2.ReviewCompletion(subject="member/m1", year=2025), metadata=metadata(key))
    again = review.RecordReviewCompleted(
        domain_pb2.ReviewCompletion(subject="member/m1", year=2025), metadata=metadata(key.upper()))
    check(again.replayed and again.first_position == first.first_position,
          "a retry with the same request id (any case) replays the first reply")

    # 2. A rating with its explanation.
    view = query.GetRating(api_pb2.GetRatingRequest(subject="member/m1", year=2025),
                           metadata=metadata())
    for finding in view.explanation:
        print("  %s %s: %s" % (finding.rule_id, "✓" if finding.holds else "✗", finding.text_vi))
    check(view.status_name != "" and len(view.explanation) > 0,
          "GetRating explains the rating (%s)" % view.status_name)

    # 3. A refusal's details: excellent with no ballot in a grassroots cell, no override.
    try:
        decision.DecideRatings(
            domain_pb2.Decision(year=2025, ratings=[
                domain_pb2.SubjectLevel(subject="member/m1", level=domain_pb2.LEVEL_HTXSNV)]),
            metadata=metadata())
        check(False, "the decision is refused")
    except grpc.RpcError as refusal:
        check(refusal.code() == grpc.StatusCode.FAILED_PRECONDITION, "refused: FAILED_PRECONDITION")
        details = None
        for key_, value in refusal.trailing_metadata() or ():
            if key_ == "grpc-status-details-bin":
                details = status_pb2.Status.FromString(value)
        check(details is not None, "the refusal carries grpc-status-details-bin")
        info = error_details_pb2.ErrorInfo()
        localized = error_details_pb2.LocalizedMessage()
        rules = []
        for any_ in details.details:
            if any_.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                any_.Unpack(info)
            elif any_.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
                failure = error_details_pb2.PreconditionFailure()
                any_.Unpack(failure)
                rules = [(v.type, v.subject) for v in failure.violations]
            elif any_.Is(error_details_pb2.LocalizedMessage.DESCRIPTOR):
                any_.Unpack(localized)
        print("  ErrorInfo:", info.reason, dict(info.metadata))
        print("  " + localized.message.replace("\n", "\n  "))
        check(info.domain == "rating.v1" and info.reason.startswith("R-"),
              "ErrorInfo names the rule (%s)" % info.reason)
        check(len(rules) > 0 and all(subject == "member/m1" for _, subject in rules),
              "PreconditionFailure lists each broken rule and subject %s" % rules)
        check(localized.locale == "vi-VN", "a Vietnamese LocalizedMessage")

    # 4. Subscribe, stop at a checkpoint, then resume from it.
    def follow(after, until=None):
        entries, checkpoint = [], after
        stream = integration.Subscribe(api_pb2.SubscribeRequest(after_position=after),
                                       metadata=[("authorization", "Bearer " + token)])
        for item in stream:
            if item.WhichOneof("item") == "entry":
                entries.append(item.entry)
            else:
                checkpoint = item.checkpoint
                if until is None or checkpoint >= until:
                    break
        stream.cancel()
        return entries, checkpoint

    entries, checkpoint = follow(0)
    check(checkpoint == entries[-1].envelope.position, "caught up to checkpoint %d" % checkpoint)
    comments = review.RecordComments(
        domain_pb2.CommentsReceipt(subject="member/m1", year=2025,
                                   source=domain_pb2.COMMENT_SOURCE_TEMPORARY_CELL),
        metadata=metadata())
    resumed, checkpoint2 = follow(checkpoint, until=comments.last_position)
    check([e.envelope.position for e in resumed] == [comments.first_position],
          "resuming from the checkpoint delivers only the new event")
    print("python example: all steps passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # Report any failure plainly; the test fails.
        print("python example failed:", repr(error), file=sys.stderr)
        sys.exit(1)
