// Command mesos-go-scheduler is a minimal framework written against Debian's
// mesos-go v1 HTTP bindings (httpcli/httpsched), a Mesos client we did not
// write. test/compat/mesos-go.test.ts builds it in GOPATH mode and runs it
// against a real mesoscale master and agent, once per codec.
//
// It subscribes, launches one command task on the first offer that fits,
// acknowledges every status update that carries a uuid, and exits 0 once it
// has seen TASK_RUNNING and then TASK_FINISHED. Every event it acts on is
// printed as one line ("EVENT ...", "STATE <TASK_STATE> ...") so the test can
// assert on the sequence and show it when something goes wrong.
//
// Exit codes: 0 success, 1 the task or the protocol failed, 2 bad usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/encoding"
	"github.com/mesos/mesos-go/api/v1/lib/encoding/codecs"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli/httpsched"
	"github.com/mesos/mesos-go/api/v1/lib/resources"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler/calls"
)

const (
	taskCPUs = 0.1
	taskMem  = 32.0
)

type options struct {
	master  string
	codec   string
	command string
	timeout time.Duration
	trace   bool
}

func parseOptions() options {
	var o options
	flag.StringVar(&o.master, "master", "", "master address: host:port or http://host:port")
	flag.StringVar(&o.codec, "codec", "protobuf", "wire codec: protobuf or json")
	flag.StringVar(&o.command, "command", "sleep 0.2; echo hi", "shell command the task runs")
	flag.DurationVar(&o.timeout, "timeout", 60*time.Second, "give up after this long")
	flag.BoolVar(&o.trace, "trace", false, "log every HTTP request and response head to stderr")
	flag.Parse()
	if o.master == "" {
		fmt.Fprintln(os.Stderr, "--master is required")
		os.Exit(2)
	}
	if o.codec != codecs.NameProtobuf && o.codec != codecs.NameJSON {
		fmt.Fprintf(os.Stderr, "--codec must be %s or %s, got %q\n", codecs.NameProtobuf, codecs.NameJSON, o.codec)
		os.Exit(2)
	}
	return o
}

func endpoint(master string) string {
	if !strings.HasPrefix(master, "http://") && !strings.HasPrefix(master, "https://") {
		master = "http://" + master
	}
	return strings.TrimSuffix(master, "/") + "/api/v1/scheduler"
}

func codecNamed(name string) encoding.Codec {
	if name == codecs.NameJSON {
		return codecs.ByMediaType[codecs.MediaTypeJSON]
	}
	return codecs.ByMediaType[codecs.MediaTypeProtobuf]
}

// framework holds what the event loop learns as it goes.
type framework struct {
	caller      calls.Caller
	command     string
	frameworkID string
	taskID      string
	launched    bool
	seenRunning bool
}

// errDone ends the event loop successfully.
var errDone = errors.New("task finished")

func main() {
	o := parseOptions()
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()

	// No httpcli.Timeout: it would bound the whole SUBSCRIBE stream.
	client := httpcli.New(httpcli.Endpoint(endpoint(o.master)), httpcli.Codec(codecNamed(o.codec)))
	if o.trace {
		client.With(httpcli.WrapDoer(traced))
	}
	fw := &framework{caller: httpsched.NewCaller(client), command: o.command}

	err := fw.run(ctx)
	if errors.Is(err, errDone) {
		fmt.Println("RESULT ok")
		os.Exit(0)
	}
	fmt.Printf("RESULT failed: %v\n", err)
	os.Exit(1)
}

func (fw *framework) run(ctx context.Context) error {
	info := &mesos.FrameworkInfo{User: currentUser(), Name: "mesos-go compatibility test"}
	resp, err := fw.caller.Call(ctx, calls.Subscribe(info))
	if err != nil {
		return fmt.Errorf("SUBSCRIBE: %w", err)
	}
	defer resp.Close()

	for {
		var event scheduler.Event
		if err := resp.Decode(&event); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("timed out (last error: %v)", err)
			}
			return fmt.Errorf("reading the event stream: %w", err)
		}
		if err := fw.handle(ctx, &event); err != nil {
			if errors.Is(err, errDone) {
				fw.teardown(ctx)
			}
			return err
		}
	}
}

func (fw *framework) handle(ctx context.Context, event *scheduler.Event) error {
	switch event.GetType() {
	case scheduler.Event_SUBSCRIBED:
		fw.frameworkID = event.GetSubscribed().GetFrameworkID().Value
		fmt.Printf("EVENT SUBSCRIBED framework_id=%s\n", fw.frameworkID)
	case scheduler.Event_HEARTBEAT:
		fmt.Println("EVENT HEARTBEAT")
	case scheduler.Event_OFFERS:
		return fw.offers(ctx, event.GetOffers().GetOffers())
	case scheduler.Event_UPDATE:
		return fw.update(ctx, event.GetUpdate().GetStatus())
	case scheduler.Event_ERROR:
		return fmt.Errorf("ERROR event: %s", event.GetError().GetMessage())
	default:
		fmt.Printf("EVENT %s\n", event.GetType())
	}
	return nil
}

// offers launches the task on the first offer with enough cpus and mem and
// declines everything else.
func (fw *framework) offers(ctx context.Context, offers []mesos.Offer) error {
	fmt.Printf("EVENT OFFERS count=%d\n", len(offers))
	var decline []mesos.OfferID
	for i := range offers {
		offer := &offers[i]
		if fw.launched || !fits(offer.GetResources()) {
			decline = append(decline, offer.GetID())
			continue
		}
		fw.taskID = fmt.Sprintf("mesos-go-%d", time.Now().UnixNano())
		task := mesos.TaskInfo{
			Name:      "mesos-go compatibility task",
			TaskID:    mesos.TaskID{Value: fw.taskID},
			AgentID:   offer.GetAgentID(),
			Command:   &mesos.CommandInfo{Value: &fw.command},
			Resources: taskResources(offer.GetAllocationInfo()),
		}
		accept := calls.Accept(calls.OfferOperations{calls.OpLaunch(task)}.WithOffers(offer.GetID()))
		if err := fw.call(ctx, accept); err != nil {
			return fmt.Errorf("ACCEPT: %w", err)
		}
		fw.launched = true
		fmt.Printf("LAUNCHED task_id=%s agent_id=%s\n", fw.taskID, offer.GetAgentID().Value)
	}
	if len(decline) > 0 {
		if err := fw.call(ctx, calls.Decline(decline...)); err != nil {
			return fmt.Errorf("DECLINE: %w", err)
		}
	}
	return nil
}

func fits(offered []mesos.Resource) bool {
	cpus, _ := resources.CPUs(offered...)
	mem, _ := resources.Memory(offered...)
	return cpus >= taskCPUs && float64(mem) >= taskMem
}

// taskResources copies the offer's allocation info onto the task's resources,
// as multi-role aware schedulers do.
func taskResources(allocation *mesos.Resource_AllocationInfo) []mesos.Resource {
	rs := []mesos.Resource{resources.NewCPUs(taskCPUs).Resource, resources.NewMemory(taskMem).Resource}
	for i := range rs {
		rs[i].AllocationInfo = allocation
	}
	return rs
}

func (fw *framework) update(ctx context.Context, status mesos.TaskStatus) error {
	state := status.GetState()
	fmt.Printf("STATE %s task_id=%s source=%s reason=%s message=%q\n",
		state, status.GetTaskID().Value, status.GetSource(), status.GetReason(), status.GetMessage())
	// Only agent-generated updates carry a uuid; acknowledging the others is an error.
	if uuid := status.GetUUID(); len(uuid) > 0 && status.GetAgentID() != nil {
		ack := calls.Acknowledge(status.GetAgentID().Value, status.GetTaskID().Value, uuid)
		if err := fw.call(ctx, ack); err != nil {
			return fmt.Errorf("ACKNOWLEDGE %s: %w", state, err)
		}
	}
	switch state {
	case mesos.TASK_RUNNING:
		fw.seenRunning = true
	case mesos.TASK_FINISHED:
		if !fw.seenRunning {
			return errors.New("TASK_FINISHED arrived without TASK_RUNNING before it")
		}
		return errDone
	case mesos.TASK_FAILED, mesos.TASK_KILLED, mesos.TASK_LOST, mesos.TASK_ERROR, mesos.TASK_DROPPED,
		mesos.TASK_GONE, mesos.TASK_GONE_BY_OPERATOR, mesos.TASK_UNKNOWN:
		return fmt.Errorf("task ended in %s: %s", state, status.GetMessage())
	}
	return nil
}

func (fw *framework) teardown(ctx context.Context) {
	if err := fw.call(ctx, &scheduler.Call{Type: scheduler.Call_TEARDOWN}); err != nil {
		fmt.Printf("TEARDOWN failed: %v\n", err)
	}
}

// call sends a non-SUBSCRIBE call for this framework; httpsched adds the
// Mesos-Stream-Id header.
func (fw *framework) call(ctx context.Context, call *scheduler.Call) error {
	return calls.CallNoData(ctx, fw.caller, call.With(calls.Framework(fw.frameworkID)))
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "root"
}
